package dev.fovea.io;

import dev.fovea.nn.AdaptiveAvgPool2d;
import dev.fovea.nn.AdaptiveMaxPool2d;
import dev.fovea.nn.AvgPool2d;
import dev.fovea.nn.BatchNorm1d;
import dev.fovea.nn.BatchNorm2d;
import dev.fovea.nn.Concat;
import dev.fovea.nn.Conv2d;
import dev.fovea.nn.ConvTranspose2d;
import dev.fovea.nn.Dropout;
import dev.fovea.nn.ELU;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.GLU;
import dev.fovea.nn.GatedConv2d;
import dev.fovea.nn.GlobalAvgPool2d;
import dev.fovea.nn.LeakyReLU;
import dev.fovea.nn.Linear;
import dev.fovea.nn.LocalResponseNorm;
import dev.fovea.nn.LogSoftmax;
import dev.fovea.nn.MaxPool2d;
import dev.fovea.nn.Maxout;
import dev.fovea.nn.Module;
import dev.fovea.nn.ReLU;
import dev.fovea.nn.Residual;
import dev.fovea.nn.Sequential;
import dev.fovea.nn.Sigmoid;
import dev.fovea.nn.Softmax;
import dev.fovea.nn.Tanh;
import dev.fovea.tensor.AllocationLimit;
import dev.fovea.tensor.Rng;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns a module tree into plain data and back. Only the types registered here can be built, each from numbers
 * and strings through its public constructor: a model file chooses among known layers, it cannot bring code.
 * Containers ({@link Sequential}) store their children; every other module stores its {@link Module#config()}
 * and rebuilds its own children from it. Libraries above this one (the model zoo) register their types.
 */
public final class Architecture {
    private Architecture() {}

    /**
     * Typed access to a stored config, with errors that name the layer and the key. Values may come from a parsed
     * file (Long, Double, List) or straight from {@link Module#config()} (Integer, int[]), so that
     * {@code build(describe(m))} works without a trip through JSON.
     */
    public record Config(String type, Map<String, Object> values) {
        private Object raw(String key) {
            if (!values.containsKey(key)) throw new ModelFormatException(type + ": missing \"" + key + "\"");
            return values.get(key);
        }

        public int getInt(String key) {
            if (raw(key) instanceof Integer i) return i;
            if (raw(key) instanceof Long l && l == (int) (long) l) return (int) (long) l;
            throw new ModelFormatException(type + ": \"" + key + "\" must be an integer, got " + raw(key));
        }

        public double getDouble(String key) {
            if (raw(key) instanceof Number n) return n.doubleValue();
            throw new ModelFormatException(type + ": \"" + key + "\" must be a number, got " + raw(key));
        }

        public boolean getBool(String key) {
            if (raw(key) instanceof Boolean b) return b;
            throw new ModelFormatException(type + ": \"" + key + "\" must be true or false, got " + raw(key));
        }

        public String getString(String key) {
            if (raw(key) instanceof String s) return s;
            throw new ModelFormatException(type + ": \"" + key + "\" must be a string, got " + raw(key));
        }

        public boolean isString(String key) {
            return raw(key) instanceof String;
        }

        public int[] getInts(String key) {
            if (raw(key) instanceof int[] a && a.length <= 16) return a.clone();
            if (raw(key) instanceof List<?> l && l.size() <= 16) {
                int[] out = new int[l.size()];
                boolean ok = true;
                for (int i = 0; i < out.length && ok; i++) {
                    ok = l.get(i) instanceof Long v && v == (int) (long) v;
                    if (ok) out[i] = (int) (long) (Long) l.get(i);
                }
                if (ok) return out;
            }
            throw new ModelFormatException(type + ": \"" + key + "\" must be a short list of integers, got " + raw(key));
        }
    }

    private static final Map<String, Function<Config, Module>> FACTORIES = new ConcurrentHashMap<>();

    /** Containers: types stored as their children (in {@link Module#children()} order), which rebuild from them. */
    private static final Map<String, Function<List<Module>, Module>> CONTAINERS = new ConcurrentHashMap<>();

    static {
        register("Conv2d", c -> c.isString("padding")
                ? new Conv2d(c.getInt("in"), c.getInt("out"), c.getInts("kernel"), c.getInts("stride"), c.getString("padding"),
                        c.getInts("dilation"), c.getInt("groups"), c.getBool("bias"))
                : new Conv2d(c.getInt("in"), c.getInt("out"), c.getInts("kernel"), c.getInts("stride"), c.getInts("padding"),
                        c.getInts("dilation"), c.getInt("groups"), c.getBool("bias")));
        register("Linear", c -> new Linear(c.getInt("in"), c.getInt("out"), c.getBool("bias")));
        register("MaxPool2d", c -> new MaxPool2d(c.getInts("kernel"), c.getInts("stride"), c.getInts("padding"), c.getBool("ceilMode")));
        register("AvgPool2d", c -> new AvgPool2d(c.getInts("kernel"), c.getInts("stride"), c.getInts("padding"), c.getBool("ceilMode"), c.getBool("countIncludePad")));
        register("GlobalAvgPool2d", c -> new GlobalAvgPool2d());
        register("Flatten", c -> new Flatten(c.getInt("startDim")));
        register("ReLU", c -> new ReLU());
        register("LeakyReLU", c -> new LeakyReLU(c.getDouble("negativeSlope")));
        register("ELU", c -> new ELU(c.getDouble("alpha")));
        register("Tanh", c -> new Tanh());
        register("Sigmoid", c -> new Sigmoid());
        register("Softmax", c -> new Softmax(c.getInt("dim")));
        register("LogSoftmax", c -> new LogSoftmax(c.getInt("dim")));
        register("Dropout", c -> new Dropout(c.getDouble("p")));
        register("BatchNorm1d", c -> new BatchNorm1d(c.getInt("features"), c.getDouble("eps"), c.getDouble("momentum"), c.getBool("affine")));
        register("BatchNorm2d", c -> new BatchNorm2d(c.getInt("features"), c.getDouble("eps"), c.getDouble("momentum"), c.getBool("affine")));
        register("ConvTranspose2d", c -> new ConvTranspose2d(c.getInt("in"), c.getInt("out"), c.getInts("kernel"), c.getInts("stride"),
                c.getInts("padding"), c.getInts("outputPadding"), c.getInt("groups"), c.getBool("bias"), c.getInts("dilation")));
        register("GatedConv2d", c -> new GatedConv2d(c.getInt("in"), c.getInt("out"), c.getInts("kernel"), c.getInts("stride"),
                c.getInts("padding"), c.getInts("dilation"), c.getBool("bias")));
        register("LocalResponseNorm", c -> new LocalResponseNorm(c.getInt("size"), c.getDouble("alpha"), c.getDouble("beta"), c.getDouble("k")));
        register("Maxout", c -> new Maxout(c.getInt("pieces")));
        register("GLU", c -> new GLU(c.getInt("dim")));
        register("AdaptiveAvgPool2d", c -> new AdaptiveAvgPool2d(c.getInt("outH"), c.getInt("outW")));
        register("AdaptiveMaxPool2d", c -> new AdaptiveMaxPool2d(c.getInt("outH"), c.getInt("outW")));
        registerContainer("Sequential", kids -> new Sequential(kids.toArray(Module[]::new)));
        registerContainer("Concat", kids -> new Concat(kids.toArray(Module[]::new)));
        registerContainer("Residual", Residual::of);
    }

    /** Makes a module type loadable. The factory must build the module from the config alone. */
    public static void register(String type, Function<Config, Module> factory) {
        FACTORIES.put(type, factory);
    }

    /**
     * Makes a container type loadable: it is stored as the list of its children, in {@link Module#children()} order,
     * and rebuilt by passing the rebuilt children, in the same order, to {@code factory}.
     */
    public static void registerContainer(String type, Function<List<Module>, Module> factory) {
        CONTAINERS.put(type, factory);
    }

    /** The module tree as data: {"type": ..., "config": {...}} or, for containers, {"type": ..., "children": [...]}. */
    public static Map<String, Object> describe(Module m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("type", m.typeName());
        if (CONTAINERS.containsKey(m.typeName())) {
            List<Object> kids = new ArrayList<>();
            for (Module k : m.children().values()) kids.add(describe(k));
            d.put("children", kids);
        } else {
            loadProviders();
            if (!FACTORIES.containsKey(m.typeName())) {
                throw new IllegalArgumentException("cannot save a " + m.typeName() + ": the type is not registered with Architecture.register");
            }
            d.put("config", m.config());
        }
        return d;
    }

    /** Rebuilds a module tree from {@link #describe(Module)}'s data; weights are fresh and must be loaded after. */
    public static Module build(Object description) {
        // Building draws initial weights; a private generator keeps loading from disturbing the user's seed.
        Rng saved = Rng.swapGlobal(new Rng(0));
        try {
            return build(description, "architecture", 0);
        } finally {
            Rng.swapGlobal(saved);
        }
    }

    /**
     * Like {@link #build(Object)} for a description read from a file that holds {@code storedElements} weights:
     * the layers may create at most {@link #allocationCap} tensor elements, checked as each one asks
     * ({@link AllocationLimit}), so a header of a few bytes cannot make the reader allocate gigabytes before the
     * stored tensors are compared with the architecture.
     */
    public static Module build(Object description, long storedElements) {
        long cap = allocationCap(storedElements);
        try {
            return AllocationLimit.within(cap, () -> build(description));
        } catch (AllocationLimit.Exceeded e) {
            throw new ModelFormatException("architecture: its layers ask for more than " + e.limit() + " tensor elements, more than "
                    + storedElements + " stored weights can explain", e);
        }
    }

    /**
     * What building may create for a file of {@code storedElements} weights: each weight is made a few times over
     * (the zeros a layer registers, its random initial values, a model's own re-initialisation: the zoo needs at most
     * 4.7 times, MobileNetV2), so 8 times, plus room for the small tensors of a few hundred layers.
     */
    public static long allocationCap(long storedElements) {
        return 8 * storedElements + (1 << 16);
    }

    private static volatile boolean providersLoaded;

    private static void loadProviders() {
        if (providersLoaded) return;
        synchronized (Architecture.class) {
            if (providersLoaded) return;
            for (LayerProvider p : ServiceLoader.load(LayerProvider.class, Architecture.class.getClassLoader())) {
                p.layers().forEach(FACTORIES::putIfAbsent);
            }
            providersLoaded = true;
        }
    }

    private static Module build(Object description, String where, int depth) {
        loadProviders();
        if (depth > 48) throw new ModelFormatException(where + ": nested too deeply");
        if (!(description instanceof Map<?, ?> d) || !(d.get("type") instanceof String type)) {
            throw new ModelFormatException(where + ": expected an object with a \"type\"");
        }
        Function<List<Module>, Module> container = CONTAINERS.get(type);
        if (container != null) {
            if (!(d.get("children") instanceof List<?> kids)) throw new ModelFormatException(where + ": " + type + " without \"children\"");
            List<Module> built = new ArrayList<>();
            for (int i = 0; i < kids.size(); i++) built.add(build(kids.get(i), where + "." + i, depth + 1));
            try {
                return container.apply(built);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(where + ": invalid " + type + ": " + e.getMessage(), e);
            }
        }
        Function<Config, Module> f = FACTORIES.get(type);
        if (f == null) throw new ModelFormatException(where + ": unknown layer type \"" + type + "\"");
        Map<String, Object> values = new LinkedHashMap<>();
        if (d.get("config") instanceof Map<?, ?> cfg) {
            for (var e : cfg.entrySet()) values.put(String.valueOf(e.getKey()), e.getValue());
        } else if (d.containsKey("config")) {
            throw new ModelFormatException(where + ": \"config\" must be an object");
        }
        try {
            return f.apply(new Config(type, values));
        } catch (ModelFormatException e) {
            throw new ModelFormatException(where + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": invalid " + type + ": " + e.getMessage(), e);
        }
    }
}
