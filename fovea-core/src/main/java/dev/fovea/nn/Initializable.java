package dev.fovea.nn;

/** A layer with weights that {@link Sequential} re-initialises for the activation that follows it. */
interface Initializable {
    /** Draws fresh weights with {@code init} from the global generator; biases become zero. */
    void resetParameters(Init init, double leakySlope);
}
