#!/usr/bin/env python3
"""Independent re-implementation of WeightedMaglevScheduler's server hash, FlowKey.hash(seed) and the Katran
MaglevV2-style weighted build, written from their specifications; prints the values WeightedMaglevSchedulerTest pins."""
M64=(1<<64)-1
def mix(z):
    x=((z^(z>>30))*0xBF58476D1CE4E5B9)&M64
    x=((x^(x>>27))*0x94D049BB133111EB)&M64
    return x^(x>>31)
def server_hash(fam,hi,lo,port,seed):
    h=mix(seed^fam); h=mix(h^hi); h=mix(h^lo); return mix(h^port)
def flow_hash(seed,fam,proto,shi,slo,sport,dhi,dlo,dport):
    a=(((slo<<32)|(slo>>32))&M64)^dlo
    b=(sport<<32)|(dport<<16)|(proto<<8)|fam
    if shi|dhi: a^=mix(shi^(((dhi<<29)|(dhi>>35))&M64)^seed)
    return mix((((a^seed)*0x9E3779B97F4A7C15)+b)&M64)
def signed(x): return x-(1<<64) if x>=1<<63 else x
OFF=0x243F6A8885A308D3; SKIP=0x13198A2E03707344
FLOW_SEED=0x6D61676C65763031
print('offset hash', signed(server_hash(4,0,0xC0000201,80,OFF)))
print('flow hash', signed(flow_hash(FLOW_SEED,4,6,0,0xC6336401,40000,0,0xCB00710A,80)))
def build(servers,m):
    n=len(servers); mx=max(w for *_,w in servers)
    off=[server_hash(4,0,a,p,OFF)%m for a,p,w in servers]
    sk=[server_hash(4,0,a,p,SKIP)%(m-1)+1 for a,p,w in servers]
    nxt=[0]*n; cum=[0]*n; t=[-1]*m; runs=0
    while runs<m:
        for i in range(n):
            if runs>=m: break
            cum[i]+=servers[i][2]
            if cum[i]>=mx:
                cum[i]-=mx
                cur=(off[i]+nxt[i]*sk[i])%m
                while t[cur]>=0:
                    nxt[i]+=1; cur=(off[i]+nxt[i]*sk[i])%m
                t[cur]=i; nxt[i]+=1; runs+=1
    return t
t=build([(0xC0000201,80,1),(0xC0000202,80,1),(0xC0000203,80,1)],251)
print(t[:40]); print([t.count(i) for i in range(3)])
