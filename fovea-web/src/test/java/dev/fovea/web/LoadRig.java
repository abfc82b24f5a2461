package dev.fovea.web;

import dev.fovea.io.Json;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code fovea train --ui} under load, in one process: a LeNet-5 trains on {@link TinyData} with its page (a
 * {@link TrainingFeed} and a {@link WebServer}), and a second page serves a fixed LeNet-5 as {@code fovea serve} does.
 * {@link #load} sends prediction requests to both from many clients at once over loopback with the JDK's HttpClient,
 * half to each page, for {@link #INPUTS} different inputs (test samples by index and drawn pixels).
 *
 * <p>What the answers must be. The fixed page's: byte for byte what the same page answered to the same request sent
 * alone before the load. The training page's: the top-3 of one of the weight states the run went through, the state
 * before the first step or after any step; those are computed on the training thread after every step by the
 * server's own code ({@link Api#predict} on a private replica), so an answer from a copy torn between two steps, or
 * from weights mixed with another request's, matches none of them; and an answer must be that of a state no older
 * than the newest recorded before its request was sent, so a replica that kept stale weights would show too.
 */
final class LoadRig implements AutoCloseable {
    static final int INPUTS = 16;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
    private final WebServer trainingPage, fixedPage;
    private final TrainingFeed feed;
    private final CompletableFuture<Trainer.Outcome> run;
    private final String[] bodies = new String[INPUTS];
    private final String[] fixedAnswers = new String[INPUTS];
    /**
     * Per input: the answer (top-3 as JSON) of every weight state of the run, with the last state that gives it (states
     * are numbered by the steps taken before them); filled by the training thread.
     */
    private final List<Map<String, Long>> stateAnswers = new ArrayList<>();
    /** States recorded so far; at most the steps taken. */
    private final AtomicLong states = new AtomicLong();
    /** Per input: the distinct answers the training page gave, each with the newest state recorded before a request that got it. */
    private final List<Map<String, Long>> trainingAnswers = new ArrayList<>();
    private final AtomicLong trainingAnswerCount = new AtomicLong();

    private LoadRig(boolean serialKernels) throws Exception {
        Rng.manualSeed(1);
        Module live = LeNet5.create(1, 4), fixed = LeNet5.create(1, 4);
        TinyData train = new TinyData(512, 1), test = new TinyData(64, 2);
        double[] mean = {0}, std = {1};
        ServedModel trainingModel = new ServedModel("training", live, train.classNames(), new int[] {1, 28, 28}, mean, std, test);
        ServedModel fixedModel = new ServedModel("fixed", fixed, train.classNames(), new int[] {1, 28, 28}, mean, std, test);
        feed = new TrainingFeed(new TrainingControl());
        trainingPage = WebServer.start(trainingModel, feed, "127.0.0.1", 0, null, serialKernels);
        fixedPage = WebServer.start(fixedModel, null, "127.0.0.1", 0, null, serialKernels);

        Rng rng = new Rng(9);
        for (int k = 0; k < INPUTS; k++) {
            bodies[k] = k % 2 == 0 ? "{\"sample\":" + (k * 3) + "}" : "{\"pixels\":" + Json.write(bar(rng, k % 4)) + "}";
            stateAnswers.add(new ConcurrentHashMap<>());
            trainingAnswers.add(new ConcurrentHashMap<>());
        }
        for (int k = 0; k < INPUTS; k++) {
            HttpResponse<String> r = send(fixedPage, k);
            if (r.statusCode() != 200) throw new IllegalStateException("the fixed page refused input " + k + ": " + r.body());
            fixedAnswers[k] = r.body();
        }

        // The reference: the server's predict on a private replica that copies the live weights after every step.
        long[] steps = {0};
        Api reference = new Api(trainingModel, new Replicas(live, null, 1, () -> steps[0], serialKernels), null);
        recordState(reference, 0);
        Trainer trainer = new Trainer(live, new SGD(live.parameters(), 0.02, 0.9, 0, false), new CrossEntropyLoss()).output(null);
        feed.attach(trainer, 100_000);
        trainer.onStep(s -> {
            feed.step(s);
            recordState(reference, ++steps[0]);
        });
        run = CompletableFuture.supplyAsync(() -> {
            try {
                return trainer.run(train, test, 100_000, 32, 5);
            } finally {
                feed.finished(null);
            }
        }, r -> {
            Thread t = new Thread(r, "training");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Starts training and both pages; {@code serialKernels} as in {@link Replicas}. */
    static LoadRig start(boolean serialKernels) throws Exception {
        return new LoadRig(serialKernels);
    }

    /** A bright bar at row band {@code c} on a faintly noisy background, as drawn pixels in [0, 1]. */
    private static List<Object> bar(Rng rng, int c) {
        List<Object> px = new ArrayList<>(Collections.nCopies(784, 0.0));
        for (int i = 0; i < 784; i++) px.set(i, rng.nextInt(30) / 100.0);
        for (int y = 4 + 5 * c; y < 8 + 5 * c; y++) for (int x = 4; x < 24; x++) px.set(y * 28 + x, 1.0);
        return px;
    }

    @SuppressWarnings("unchecked")
    private void recordState(Api reference, long state) {
        for (int k = 0; k < INPUTS; k++) {
            stateAnswers.get(k).put(Json.write(reference.predict((Map<String, Object>) Json.parse(bodies[k])).get("top")), state);
        }
        states.set(state + 1);
    }

    private HttpResponse<String> send(WebServer page, int input) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(page.uri().resolve("/api/predict")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bodies[input])).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** What one load run saw: counts, wall time and latencies over all requests. */
    record Result(int clients, int requests, int errors, List<String> problems, double seconds, double p50Millis, double p99Millis,
                  long stepsTrained) {
        double requestsPerSecond() {
            return requests / seconds;
        }
    }

    /**
     * {@code clients} threads send {@code requests} predictions in all, each waiting for its answer before the next;
     * request j goes to the fixed page when j is even, else to the training page, for input (j / 2) mod {@link #INPUTS}.
     */
    Result load(int clients, int requests) throws Exception {
        long[] latency = new long[requests];
        AtomicInteger next = new AtomicInteger(), errors = new AtomicInteger();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        long steps0 = stepCount();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int j; (j = next.getAndIncrement()) < requests; ) {
                        boolean fixed = j % 2 == 0;
                        int input = (j / 2) % INPUTS;
                        long newest = states.get() - 1, start = System.nanoTime();
                        String problem;
                        try {
                            HttpResponse<String> r = send(fixed ? fixedPage : trainingPage, input);
                            latency[j] = System.nanoTime() - start;
                            problem = r.statusCode() != 200 ? "HTTP " + r.statusCode() + ": " + r.body()
                                    : fixed ? (r.body().equals(fixedAnswers[input]) ? null : "fixed model, input " + input + ": " + r.body())
                                    : trainingAnswer(input, r.body(), newest);
                        } catch (Exception e) {
                            latency[j] = System.nanoTime() - start;
                            problem = e.toString();
                        }
                        if (problem != null) {
                            errors.incrementAndGet();
                            if (problems.size() < 10) problems.add(problem);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(600, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Arrays.sort(latency);
        return new Result(clients, requests, errors.get(), List.copyOf(problems), seconds, latency[requests / 2] / 1e6,
                latency[(int) Math.min(requests - 1, Math.ceil(requests * 0.99) - 1)] / 1e6, stepCount() - steps0);
    }

    private String trainingAnswer(int input, String body, long newest) {
        Object top = ((Map<?, ?>) Json.parse(body)).get("top");
        if (top == null) return "training model, input " + input + ": no top-3 in " + body;
        trainingAnswers.get(input).merge(Json.write(top), newest, Math::max);
        trainingAnswerCount.incrementAndGet();
        return null;
    }

    long stepCount() {
        return ((Number) feed.status().get("stepCount")).longValue();
    }

    void pauseTraining() {
        feed.control().pause();
    }

    /** Stops training at the end of its epoch and waits for it. */
    void stopTraining() throws Exception {
        feed.control().stop();
        run.get(300, TimeUnit.SECONDS);
    }

    /**
     * After {@link #stopTraining}: the training page's answers that are no weight state's answer, or only the answer of
     * states older than one recorded before the request was sent (stale weights). Should be none.
     */
    List<String> unexplainedTrainingAnswers() {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < INPUTS; k++) {
            for (var a : trainingAnswers.get(k).entrySet()) {
                Long last = stateAnswers.get(k).get(a.getKey());
                if (last == null) out.add("input " + k + ": no weight state gives " + a.getKey());
                else if (last < a.getValue()) out.add("input " + k + ": " + a.getKey() + " is the answer of state " + last + " at the newest, sent after state " + a.getValue());
            }
        }
        return out;
    }

    /** The most distinct answers the training page gave for one input: above 1 when the weights moved under the load. */
    int mostDistinctTrainingAnswers() {
        int most = 0;
        for (Map<String, Long> s : trainingAnswers) most = Math.max(most, s.size());
        return most;
    }

    long trainingAnswersChecked() {
        return trainingAnswerCount.get();
    }

    /** Bytes of heap in use right after a full collection (the least of three, as threads keep allocating meanwhile). */
    static long usedHeapAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) used += pool.getCollectionUsage().getUsed();
            }
            least = Math.min(least, used);
            Thread.sleep(50);
        }
        return least;
    }

    @Override
    public void close() throws Exception {
        try {
            if (!run.isDone()) stopTraining();
        } finally {
            trainingPage.close();
            fixedPage.close();
            http.close();
        }
    }
}
