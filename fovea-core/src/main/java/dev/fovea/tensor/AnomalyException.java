package dev.fovea.tensor;

/**
 * The first NaN or infinity that {@linkplain Autograd#detectAnomaly anomaly detection} found: in the forward
 * output of an operation or in a gradient its backward produced. The message says which operation, in which layer
 * (path in the model and type), and gives statistics of the operation's inputs (and, for backward, of the incoming
 * gradient); a training loop adds the step ({@link #atStep}).
 */
public final class AnomalyException extends ArithmeticException {
    private final String phase, op, layerPath, layerType, step;
    private final String details;

    AnomalyException(String phase, String op, String layerPath, String layerType, String details) {
        this(phase, op, layerPath, layerType, null, details);
    }

    private AnomalyException(String phase, String op, String layerPath, String layerType, String step, String details) {
        super((step == null ? "" : step + ": ") + details);
        this.phase = phase;
        this.op = op;
        this.layerPath = layerPath;
        this.layerType = layerType;
        this.step = step;
        this.details = details;
    }

    /** The same finding, its message starting with where in training it happened, such as "epoch 2, step 17". */
    public AnomalyException atStep(String step) {
        AnomalyException e = new AnomalyException(phase, op, layerPath, layerType, step, details);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** "forward" or "backward". */
    public String phase() {
        return phase;
    }

    /** The operation's name, such as "conv2d" or "sqrt". */
    public String op() {
        return op;
    }

    /** The layer's dotted path in the model ("" for the model itself), or null when the operation ran outside layers. */
    public String layerPath() {
        return layerPath;
    }

    /** The layer's type name, such as "Conv2d", or null. */
    public String layerType() {
        return layerType;
    }

    /** Where in training, when a training loop said so; else null. */
    public String step() {
        return step;
    }
}
