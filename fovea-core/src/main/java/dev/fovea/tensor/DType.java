package dev.fovea.tensor;

/** Element precision. Models run in {@link #FLOAT32}; {@link #FLOAT64} is for gradient checks. */
public enum DType {
    FLOAT32,
    FLOAT64
}
