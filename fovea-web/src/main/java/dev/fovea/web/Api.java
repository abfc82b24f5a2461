package dev.fovea.web;

import dev.fovea.data.DataException;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFile;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Softmax;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What each JSON endpoint computes, apart from HTTP: requests come in as parsed JSON objects (or query parameters),
 * answers go out as maps for {@link dev.fovea.io.Json}. Bad input throws {@link IllegalArgumentException} with a
 * message for the user, which the server turns into HTTP 400.
 */
final class Api {
    /** Feature maps larger than this on a side are sent thinned (every k-th row and column); smaller for deep models. */
    static final int MAP_SIDE = 48;
    /** At most this many channels of a layer are sent; fewer for deep models (see {@link #channelBudget}). */
    static final int MAX_CHANNELS = 64;
    /** Roughly how many activation numbers one inspection sends, so that a ResNet's page stays a few MB. */
    static final int NUMBERS = 400_000;
    static final int MAX_SAMPLES = 64;

    private final ServedModel served;
    private final Replicas replicas;
    private final TrainingFeed feed;
    private volatile Map<String, Object> modelInfo;

    Api(ServedModel served, Replicas replicas, TrainingFeed feed) {
        this.served = served;
        this.replicas = replicas;
        this.feed = feed;
    }

    // ---------------------------------------------------------------- the model

    /** Name, classes, input shape, every leaf layer and the graph between them (traced once on a blank input). */
    Map<String, Object> model() {
        Map<String, Object> info = modelInfo;
        if (info != null) return info;
        info = replicas.with(m -> {
            Inspector.Trace t = Inspector.trace(m, new float[served.inputSize()], served.inputShape(), -1);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", served.name());
            r.put("classes", classNames(t.probabilities().length));
            r.put("inputShape", served.inputShape());
            r.put("parameters", m.parameterCount());
            List<Object> layers = new ArrayList<>();
            for (Inspector.Call c : t.calls()) layers.add(Inspector.describe(c));
            r.put("layers", layers);
            r.put("graph", Inspector.graph(t));
            r.put("testSize", served.test() == null ? 0 : served.test().size());
            r.put("training", feed != null);
            return r;
        });
        modelInfo = info;
        return info;
    }

    private List<String> classNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(served.className(i));
        return names;
    }

    // ---------------------------------------------------------------- training

    Map<String, Object> training(int fromStep, int fromEpoch, int resets) {
        if (feed == null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("state", "none");
            return r;
        }
        return feed.since(fromStep, fromEpoch, resets);
    }

    /** Pause, resume, stop, or new hyperparameters: {"action": ...} or any of learningRate, momentum, weightDecay, batchSize. */
    Map<String, Object> control(Map<String, Object> body) {
        if (feed == null) throw new IllegalArgumentException("nothing is training: start the page with 'fovea train --ui' to steer a run");
        TrainingControl c = feed.control();
        if (body.get("action") instanceof String action) {
            switch (action) {
                case "pause" -> c.pause();
                case "resume" -> c.resume();
                case "stop" -> c.stop();
                default -> throw new IllegalArgumentException("unknown action '" + action + "'; use pause, resume or stop");
            }
        } else if (body.containsKey("action")) {
            throw new IllegalArgumentException("\"action\" must be a string");
        }
        // Check every value before changing anything, so a bad one changes nothing.
        Double lr = Requests.optionalNumber(body, "learningRate"), momentum = Requests.optionalNumber(body, "momentum");
        Double wd = Requests.optionalNumber(body, "weightDecay");
        Integer batch = Requests.optionalInt(body, "batchSize");
        if (lr != null && (!(lr >= 0) || lr > 10)) throw new IllegalArgumentException("learningRate must be between 0 and 10, got " + lr);
        if (momentum != null && !(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        if (wd != null && (!(wd >= 0) || wd > 1)) throw new IllegalArgumentException("weightDecay must be between 0 and 1, got " + wd);
        // Momentum and weight decay belong to the optimizer, which exists once the run has started (the page is up before).
        if ((momentum != null || wd != null) && c.optimizer() == null) {
            throw new WebServer.HttpError(409, "training has not started yet; momentum and weight decay can be changed once it has");
        }
        if (momentum != null && Double.isNaN(c.optimizer().momentum())) throw new IllegalArgumentException(c.optimizer().typeName() + " has no momentum");
        if (wd != null && Double.isNaN(c.optimizer().weightDecay())) throw new IllegalArgumentException(c.optimizer().typeName() + " has no weight decay");
        if (batch != null && (batch < 1 || batch > 4096)) throw new IllegalArgumentException("batchSize must be between 1 and 4096, got " + batch);
        if (lr != null) c.setLearningRate(lr);
        if (momentum != null) c.setMomentum(momentum);
        if (wd != null) c.setWeightDecay(wd);
        if (batch != null) c.setBatchSize(batch);
        feed.touched();
        return feed.status();
    }

    // ---------------------------------------------------------------- inputs

    /** An input the page sends: {"sample": test index} or {"pixels": C*H*W numbers in [0, 1]}. */
    record Input(float[] x, int label) {}

    Input input(Map<String, Object> body) {
        if (body.containsKey("sample")) {
            Dataset test = served.test();
            if (test == null) throw new IllegalArgumentException("this page has no test set to take samples from");
            int i = Requests.requireInt(body, "sample");
            if (i < 0 || i >= test.size()) throw new IllegalArgumentException("sample " + i + " is out of range; the test set has " + test.size());
            float[] x = new float[served.inputSize()];
            test.sample(i, x, 0);
            return new Input(x, test.label(i));
        }
        if (!(body.get("pixels") instanceof List<?> list)) throw new IllegalArgumentException("send {\"sample\": N} or {\"pixels\": [...]} with " + served.inputSize() + " numbers in [0, 1]");
        if (list.size() != served.inputSize()) {
            throw new IllegalArgumentException("\"pixels\" needs " + served.inputSize() + " numbers (" + served.inputShape()[0] + " x "
                    + served.inputShape()[1] + " x " + served.inputShape()[2] + "), got " + list.size());
        }
        float[] px = new float[list.size()];
        for (int i = 0; i < px.length; i++) {
            if (!(list.get(i) instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
                throw new IllegalArgumentException("\"pixels\" must hold numbers in [0, 1]; item " + i + " is " + list.get(i));
            }
            px[i] = n.floatValue();
        }
        return new Input(served.normalise(px), -1);
    }

    /** The pixels to show for a normalised input, in [0, 1]. */
    private List<Object> pixels(float[] x) {
        return Numbers.list(served.denormalise(x.clone()));
    }

    // ---------------------------------------------------------------- predictions

    Map<String, Object> predict(Map<String, Object> body) {
        Input in = input(body);
        int[] s = served.inputShape();
        float[] p = replicas.with(m -> Softmax.softmax(m.predict(Tensor.of(in.x(), 1, s[0], s[1], s[2])), 1).toFloatArray());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("top", Inspector.top(p, 3, served));
        return r;
    }

    /** Test samples spread over the test set from {@code offset}, with their top-3 predictions. */
    Map<String, Object> samples(int count, int offset) {
        Dataset test = requireTest();
        if (count < 1 || count > MAX_SAMPLES) throw new IllegalArgumentException("count must be between 1 and " + MAX_SAMPLES + ", got " + count);
        if (offset < 0) throw new IllegalArgumentException("offset must not be negative, got " + offset);
        count = Math.min(count, test.size());
        int[] s = served.inputShape();
        int size = served.inputSize();
        float[] batch = new float[count * size];
        int[] index = new int[count];
        long stride = Math.max(1, test.size() / count);
        for (int i = 0; i < count; i++) {
            index[i] = (int) ((offset + i * stride) % test.size());
            test.sample(index[i], batch, i * size);
        }
        int n = count;
        float[] p = replicas.with(m -> Softmax.softmax(m.predict(Tensor.of(batch.clone(), n, s[0], s[1], s[2])), 1).toFloatArray());
        int k = p.length / n;
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] pi = java.util.Arrays.copyOfRange(p, i * k, (i + 1) * k);
            List<Object> top = Inspector.top(pi, 3, served);
            Map<String, Object> it = new LinkedHashMap<>();
            it.put("index", index[i]);
            it.put("label", test.label(index[i]));
            it.put("labelName", served.className(test.label(index[i])));
            it.put("pixels", pixels(java.util.Arrays.copyOfRange(batch, i * size, (i + 1) * size)));
            it.put("top", top);
            it.put("correct", ((Map<?, ?>) top.get(0)).get("class").equals(test.label(index[i])));
            items.add(it);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("inputShape", s);
        r.put("samples", items);
        return r;
    }

    /** The confusion matrix of the first {@code limit} test samples (rows: true class). */
    Map<String, Object> confusion(int limit) {
        Dataset test = requireTest();
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        Dataset part = test.limit(Math.min(limit, test.size()));
        Trainer.Evaluation ev = replicas.with(m -> Trainer.evaluate(m, part, 256));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("count", ev.count());
        r.put("accuracy", Numbers.round(ev.accuracy()));
        r.put("classes", classNames(test.numClasses()));
        List<Object> rows = new ArrayList<>();
        for (int[] row : ev.confusion()) rows.add(row.clone());
        r.put("matrix", rows);
        return r;
    }

    private Dataset requireTest() {
        if (served.test() == null) throw new IllegalArgumentException("this page has no test set");
        return served.test();
    }

    // ---------------------------------------------------------------- the network for one input

    /** Top-3, saliency, and every layer's activations (per channel) with the ranges of activations and gradients. */
    Map<String, Object> inspect(Map<String, Object> body) {
        Input in = input(body);
        int target = body.containsKey("target") ? Requests.requireInt(body, "target") : -1;
        return replicas.with(m -> {
            Inspector.Trace t = Inspector.trace(m, in.x(), served.inputShape(), target);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("top", Inspector.top(t.probabilities(), 3, served));
            r.put("target", t.target());
            r.put("targetName", served.className(t.target()));
            if (in.label() >= 0) r.put("label", in.label());
            int[] s = served.inputShape();
            r.put("input", Numbers.list(served.denormalise(in.x().clone())));
            r.put("saliency", Numbers.plane(Inspector.saliency(t), 0, s[1], s[2], 1 << 16));
            List<Object> layers = new ArrayList<>();
            int side = t.calls().size() > 30 ? MAP_SIDE / 2 : MAP_SIDE;
            int channels = channelBudget(t.calls(), side);
            for (Inspector.Call c : t.calls()) layers.add(activations(c, channels, side));
            r.put("layers", layers);
            r.put("channelsShown", channels);
            return r;
        });
    }

    /** Channels per layer: all of LeNet's; 8 or more of a deep network's, within about {@link #NUMBERS} numbers. */
    static int channelBudget(List<Inspector.Call> calls, int side) {
        long perChannel = 1;
        for (Inspector.Call c : calls) {
            int[] s = c.output().shape();
            if (s.length == 4) perChannel += (long) Math.min(s[2], side) * Math.min(s[3], side);
        }
        return (int) Math.min(MAX_CHANNELS, Math.max(8, NUMBERS / perChannel));
    }

    private static Map<String, Object> activations(Inspector.Call c, int maxChannels, int side) {
        Map<String, Object> l = Inspector.describe(c);
        float[] a = c.output().detach().toFloatArray();
        double[] ar = Numbers.range(a, 0, a.length);
        l.put("min", Numbers.round(ar[0]));
        l.put("max", Numbers.round(ar[1]));
        Tensor g = c.output().grad();
        if (g != null) {
            float[] gv = g.toFloatArray();
            double[] gr = Numbers.range(gv, 0, gv.length);
            l.put("gradMin", Numbers.round(gr[0]));
            l.put("gradMax", Numbers.round(gr[1]));
        }
        int[] shape = c.output().shape();
        if (shape.length == 4) {
            int ch = shape[1], h = shape[2], w = shape[3];
            List<Object> maps = new ArrayList<>();
            for (int k = 0; k < Math.min(ch, maxChannels); k++) {
                Map<String, Object> p = Numbers.plane(a, k * h * w, h, w, side);
                double[] cr = Numbers.range(a, k * h * w, (k + 1) * h * w);
                p.put("min", Numbers.round(cr[0]));
                p.put("max", Numbers.round(cr[1]));
                maps.add(p);
            }
            l.put("maps", maps);
        } else {
            l.put("vector", Numbers.list(a, 0, Math.min(a.length, 1024)));
        }
        return l;
    }

    /** A layer's parameters: histograms of weights and of this input's gradients, filters as images, batch-norm statistics. */
    Map<String, Object> layer(Map<String, Object> body) {
        Input in = input(body);
        String path = Requests.requireString(body, "path");
        return replicas.with(m -> {
            Inspector.Trace t = Inspector.trace(m, in.x(), served.inputShape(), -1);
            Inspector.Call call = t.call(path);
            Module mod = call.module();
            Map<String, Object> r = Inspector.describe(call);
            r.put("config", mod.config());
            r.put("target", t.target());
            List<Object> params = new ArrayList<>();
            for (var e : mod.namedParameters().entrySet()) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", e.getKey());
                p.put("shape", e.getValue().shape());
                p.put("histogram", Numbers.histogram(e.getValue().toFloatArray(), 32));
                if (e.getValue().grad() != null) p.put("gradHistogram", Numbers.histogram(e.getValue().grad().toFloatArray(), 32));
                params.add(p);
            }
            r.put("parameters", params);
            if (mod instanceof Conv2d conv) r.put("filters", filters(conv));
            Map<String, Tensor> buffers = mod.namedBuffers();
            if (buffers.containsKey("running_mean")) {
                Map<String, Object> bn = new LinkedHashMap<>();
                bn.put("runningMean", Numbers.list(buffers.get("running_mean").toFloatArray()));
                bn.put("runningVar", Numbers.list(buffers.get("running_var").toFloatArray()));
                if (mod.namedParameters().containsKey("weight")) {
                    bn.put("weight", Numbers.list(mod.namedParameters().get("weight").toFloatArray()));
                    bn.put("bias", Numbers.list(mod.namedParameters().get("bias").toFloatArray()));
                }
                r.put("batchNorm", bn);
            }
            return r;
        });
    }

    /** Up to 64 output channels x 16 input channels of kernels and their gradients. */
    private static Map<String, Object> filters(Conv2d conv) {
        Tensor w = conv.weight();
        int[] s = w.shape();
        int outs = Math.min(s[0], 64), ins = Math.min(s[1], 16), kk = s[2] * s[3];
        float[] wv = w.toFloatArray();
        float[] gv = w.grad() == null ? null : w.grad().toFloatArray();
        List<Object> kernels = new ArrayList<>(), grads = new ArrayList<>();
        for (int o = 0; o < outs; o++) {
            List<Object> row = new ArrayList<>(), grow = new ArrayList<>();
            for (int i = 0; i < ins; i++) {
                int off = (o * s[1] + i) * kk;
                row.add(Numbers.list(wv, off, off + kk));
                if (gv != null) grow.add(Numbers.list(gv, off, off + kk));
            }
            kernels.add(row);
            grads.add(grow);
        }
        double[] wr = Numbers.range(wv, 0, wv.length);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("shape", s);
        f.put("kernels", kernels);
        if (gv != null) f.put("grads", grads);
        f.put("min", Numbers.round(wr[0]));
        f.put("max", Numbers.round(wr[1]));
        return f;
    }

    Map<String, Object> explain(Map<String, Object> body) {
        Input in = input(body);
        String path = Requests.requireString(body, "path");
        int channel = body.containsKey("channel") ? Requests.requireInt(body, "channel") : 0;
        return replicas.with(m -> Explainer.explain(Inspector.trace(m, in.x(), served.inputShape(), -1), path, channel));
    }

    // ---------------------------------------------------------------- playground and uploads

    Map<String, Object> filter(Map<String, Object> body) {
        Input in = input(body);
        int[] s = served.inputShape();
        float[] first = java.util.Arrays.copyOf(served.denormalise(in.x().clone()), s[1] * s[2]);
        String name = body.get("kernel") instanceof String k ? k : "custom";
        double[][] kernel;
        if (name.equals("custom")) {
            kernel = Requests.matrix(body, "weights", Playground.MAX_KERNEL);
        } else {
            Double sigma = Requests.optionalNumber(body, "sigma");
            kernel = Playground.kernel(name, sigma == null ? 1.0 : sigma);
        }
        Map<String, Object> r = Playground.filter(first, s[1], s[2], kernel);
        r.put("input", Numbers.plane(first, 0, s[1], s[2], 1 << 16));
        return r;
    }

    static Map<String, Object> conv1d(Map<String, Object> body) {
        double[] signal = Requests.vector(body, "signal", Playground.MAX_SIGNAL);
        double[] kernel = Requests.vector(body, "kernel", Playground.MAX_KERNEL_1D);
        boolean flip = body.get("flip") instanceof Boolean b && b;
        Integer padding = Requests.optionalInt(body, "padding");
        return Playground.conv1d(signal, kernel, flip, padding == null ? 0 : padding);
    }

    /** A 4K screen: the most pixels an upload may have (decoding costs about 35 bytes of memory a pixel). */
    static final long MAX_UPLOAD_PIXELS = 3840L * 2160;
    /**
     * Pixels an upload may claim per byte of it. A few hundred bytes can declare a JPEG of 3084 x 4096 pixels that
     * decodes (to grey) into 430 MB; real pictures, even plain drawings as PNG, hold far fewer pixels per byte.
     */
    static final long PIXELS_PER_BYTE = 256;
    /** Images decoded at once; more uploads wait, and after 30 seconds get HTTP 503. */
    private final Semaphore decoding = new Semaphore(2);

    /** Decodes an uploaded PNG or JPEG into the model's input size, as pixels in [0, 1]. */
    Map<String, Object> upload(byte[] bytes) {
        if (bytes.length == 0) throw new IllegalArgumentException("the upload is empty; send a PNG or JPEG image");
        int[] s = served.inputShape();
        if (s[0] != 1 && s[0] != 3) throw new IllegalArgumentException("uploads need a model with 1 or 3 input channels, this one has " + s[0]);
        try {
            if (!decoding.tryAcquire(30, TimeUnit.SECONDS)) throw new Replicas.BusyException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Replicas.BusyException();
        }
        try {
            return decode(bytes, s, Math.min(MAX_UPLOAD_PIXELS, Math.max(64 * 64, PIXELS_PER_BYTE * bytes.length)));
        } finally {
            decoding.release();
        }
    }

    private static Map<String, Object> decode(byte[] bytes, int[] s, long maxPixels) {
        Path tmp = null;
        try {
            // ImageFile reads from a file and checks the header's size before decoding; a private temporary file feeds it.
            tmp = Files.createTempFile("fovea-upload", ".img");
            Files.write(tmp, bytes);
            float[] px;
            try {
                px = ImageFile.read(tmp, s[0], s[1], s[2], maxPixels);
            } catch (DataException e) {
                throw new IllegalArgumentException("not a usable image: " + e.getMessage().replace(tmp.toString() + ": ", ""), e);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("inputShape", s);
            r.put("pixels", Numbers.list(px));
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A temporary file left behind is harmless.
                }
            }
        }
    }
}
