package dev.fovea.optim;

import dev.fovea.tensor.Tensor;

import java.util.List;

/** Updates parameters from their gradients. Parameters without a gradient (unused, or frozen) are skipped. */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be a non-negative number, got " + lr);
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** Applies one update, using each parameter's accumulated {@link Tensor#grad()}. */
    public abstract void step();

    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    public double learningRate() {
        return lr;
    }

    public void setLearningRate(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be a non-negative number, got " + lr);
        this.lr = lr;
    }
}
