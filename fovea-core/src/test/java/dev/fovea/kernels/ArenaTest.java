package dev.fovea.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArenaTest {
    private static float[] f32(int n) {
        return ((Buf.F32) new Buf.F32(new float[0]).like(n)).a;
    }

    @Test
    void aSecondStepOfTheSameShapesGetsTheFirstStepsArraysBackZeroed() {
        Arena arena = new Arena(false);
        float[] a, b, c;
        try (Arena.Scope s = arena.open()) {
            a = f32(100);
            b = f32(100);
            c = f32(7);
            a[3] = 1;
            b[99] = 2;
            c[0] = 3;
        }
        assertEquals(4L * 207, arena.heldBytes());
        try (Arena.Scope s = arena.open()) {
            float[] a2 = f32(100), b2 = f32(100), c2 = f32(7);
            assertSame(a, a2);
            assertSame(b, b2);
            assertSame(c, c2);
            for (float[] x : new float[][] {a2, b2, c2}) for (float v : x) assertEquals(0f, v);
        }
    }

    @Test
    void outsideAScopeAndInFloat64NothingIsPooled() {
        Arena arena = new Arena(false);
        float[] a;
        try (Arena.Scope s = arena.open()) {
            a = f32(10);
            Buf d = new Buf.F64(new double[0]).like(10);
            assertTrue(d.isDouble());
        }
        assertEquals(40, arena.heldBytes());
        assertNotSame(a, f32(10));
        // Buf.allocate is for what outlives a step: never from the arena.
        try (Arena.Scope s = arena.open()) {
            assertNotSame(a, ((Buf.F32) Buf.allocate(10, false)).a);
        }
    }

    @Test
    void poisonMarksEveryReleasedArraySoThatAUseAfterTheStepShows() {
        Arena arena = new Arena(true);
        float[] a;
        try (Arena.Scope s = arena.open()) {
            a = f32(5);
        }
        for (float v : a) assertTrue(Float.isNaN(v));
    }

    @Test
    void whenTheShapesChangeTheArraysNotTakenAreDroppedSoTheArenaHoldsOneStep() {
        Arena arena = new Arena(false);
        try (Arena.Scope s = arena.open()) {
            f32(1000);
            f32(1000);
            f32(3);
        }
        float[] small;
        try (Arena.Scope s = arena.open()) {
            small = f32(3);
            f32(500); // a size the last step did not have: the two 1000s will not be asked for
            f32(500);
        }
        assertEquals(4L * (3 + 500 + 500), arena.heldBytes());
        try (Arena.Scope s = arena.open()) {
            assertSame(small, f32(3));
        }
    }

    @Test
    void scopesNestAndRestoreTheOuterArena() {
        Arena outer = new Arena(false), inner = new Arena(false);
        try (Arena.Scope s = outer.open()) {
            try (Arena.Scope t = inner.open()) {
                f32(8);
            }
            f32(16);
            assertThrows(IllegalStateException.class, outer::open);
        }
        assertEquals(32, inner.heldBytes());
        assertEquals(64, outer.heldBytes());
    }
}
