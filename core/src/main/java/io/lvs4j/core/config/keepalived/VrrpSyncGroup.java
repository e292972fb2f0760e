package io.lvs4j.core.config.keepalived;

import java.util.List;
import java.util.Objects;

/**
 * {@code vrrp_sync_group <NAME> { group { ... } notify_* }}: instances that change state together.
 *
 * @param name         the group's name.
 * @param members      the member instances' names.
 * @param notifyMaster {@code notify_master}, null for none.
 * @param notifyBackup {@code notify_backup}, null for none.
 * @param notifyFault  {@code notify_fault}, null for none.
 * @param notifyStop   {@code notify_stop}, null for none.
 * @param notifyGeneric {@code notify} (generic, with state arguments), null for none.
 * @param smtpAlert    {@code smtp_alert}.
 */
public record VrrpSyncGroup(
    String name, List<String> members, NotifyScript notifyMaster, NotifyScript notifyBackup,
    NotifyScript notifyFault, NotifyScript notifyStop, NotifyScript notifyGeneric, boolean smtpAlert)
{
    /**
     * Checks the fields.
     *
     * @param name         name.
     * @param members      members.
     * @param notifyMaster master script.
     * @param notifyBackup backup script.
     * @param notifyFault  fault script.
     * @param notifyStop   stop script.
     * @param notifyGeneric generic script.
     * @param smtpAlert    SMTP alerts.
     */
    public VrrpSyncGroup
    {
        Objects.requireNonNull(name, "name");
        members = List.copyOf(members);
    }
}
