package io.lvs4j.forwarder.lab;

import io.lvs4j.forwarder.nativeio.NetworkNamespace;

/**
 * A child JVM for {@link SeedLabSmokeTest}: one of its threads (not the main one) enters a lab namespace, as a
 * director started with {@code --netns} does, then it waits to be killed (at most two minutes).
 */
public final class ThreadInNamespaceMain
{
    private ThreadInNamespaceMain()
    {
    }

    /**
     * @param args the namespace's name.
     * @throws InterruptedException never expected.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final Thread inside = new Thread(() ->
        {
            NetworkNamespace.enterCurrentThread(args[0]);
            System.out.println("entered " + args[0]);
            System.out.flush();
            try
            {
                Thread.sleep(120_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "in-" + args[0]);
        inside.start();
        inside.join();
    }
}
