package io.cutover.agent.plan;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Thread pools whose threads all start when the pool is made. A Linux thread is born in the network namespace of
 * the thread that starts it, and an ordinary pool starts its threads lazily, from whichever thread first hands it
 * work — perhaps one bound to a lab namespace. A pool made here, on one of the agent's own threads, keeps every
 * later task in the agent's namespace.
 */
public final class Threads {
    private Threads() {
    }

    /** {@code count} daemon threads called {@code name}, all started now, with an unbounded queue. */
    public static ExecutorService prestarted(String name, int count) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(count, count, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, name);
                    thread.setDaemon(true);
                    return thread;
                });
        pool.prestartAllCoreThreads();
        return pool;
    }
}
