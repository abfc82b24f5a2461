package dev.fovea.bench;

import jdk.incubator.vector.FloatVector;

/** What the JVM's Vector API gives on this machine. */
final class VectorInfo {
    private VectorInfo() {}

    static int lanes() {
        return FloatVector.SPECIES_PREFERRED.length();
    }

    static String describe() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, " + lanes() + " floats";
    }
}
