package dev.fovea.tensor;

/** One recorded operation in the autograd graph: its inputs and how to send an output gradient back to them. */
final class Node {
    /** Maps the gradient of the output to the gradients of the inputs (same order; null where not needed). */
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    final String op;
    final Tensor[] inputs;
    Backward backward;
    /** The layer the operation ran in, kept while anomaly detection is on (for its backward's report); else null. */
    final Anomaly.Layer layer;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
        this.layer = Anomaly.enabled ? Anomaly.currentLayer() : null;
    }

    /**
     * Attaches a node to {@code out} when recording is on and some input requires grad; otherwise leaves
     * {@code out} a plain tensor, so that inference keeps no graph and no saved activations.
     */
    static Tensor record(Tensor out, String op, Backward backward, Tensor... inputs) {
        if (Anomaly.enabled) Anomaly.checkForward(op, out, inputs);
        if (!Autograd.isEnabled()) return out;
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                out.gradFn = new Node(op, inputs, backward);
                out.requiresGrad(true);
                return out;
            }
        }
        return out;
    }
}
