package dev.fovea.spark;

import dev.fovea.io.Architecture;
import dev.fovea.io.Json;
import dev.fovea.nn.Module;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Models built on an executor, kept for the next task: a model is built from its architecture once per executor
 * thread that needs one, not once per task or round, and each round only copies the broadcast weights into it.
 * Tasks running at once on one executor each borrow their own, since a model holds its activations and gradients.
 */
final class ModelPool {
    private ModelPool() {}

    /** At most this many architectures are pooled; a new one beyond it clears the pool (a new job). */
    private static final int MAX_ARCHITECTURES = 4;
    private static final Map<String, Queue<Module>> POOL = new ConcurrentHashMap<>();
    /** Models built in this JVM, for the tests that check a model is not rebuilt per task or row. */
    static final AtomicLong BUILT = new AtomicLong();

    static Module borrow(String architecture) {
        Queue<Module> q = POOL.get(architecture);
        Module m = q == null ? null : q.poll();
        if (m != null) return m;
        BUILT.incrementAndGet();
        return Architecture.build(Json.parse(architecture));
    }

    static void giveBack(String architecture, Module m) {
        if (POOL.size() >= MAX_ARCHITECTURES && !POOL.containsKey(architecture)) POOL.clear();
        m.zeroGrad();
        POOL.computeIfAbsent(architecture, k -> new ConcurrentLinkedQueue<>()).add(m);
    }
}
