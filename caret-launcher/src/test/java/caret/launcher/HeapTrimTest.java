package caret.launcher;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeapTrimTest {

    private static final long MIB = 1L << 20;

    @Test
    void collectsOnceWhenAQuietProcessHoldsMuchMoreThanBefore() {
        HeapTrim trim = new HeapTrim(32 * MIB);
        assertFalse(trim.due(150 * MIB, 200 * MIB), "the first look has nothing to compare with");
        assertTrue(trim.due(150 * MIB, 200 * MIB), "nothing allocated for a period, 168 MiB above the floor");
        trim.collected(20 * MIB, 60 * MIB);
        assertFalse(trim.due(20 * MIB, 60 * MIB), "what the collection left is the new floor");
        assertFalse(trim.due(20 * MIB, 60 * MIB));
    }

    @Test
    void neverCollectsWhileTheProcessAllocates() {
        HeapTrim trim = new HeapTrim(32 * MIB);
        long used = 100 * MIB;
        trim.due(used, 300 * MIB);
        for (int i = 0; i < 10; i++) {
            used += 5 * MIB;
            assertFalse(trim.due(used, 300 * MIB), "allocating 5 MiB per period");
        }
        assertFalse(trim.due(40 * MIB, 300 * MIB), "used fell: a collection ran since the last look");
        assertTrue(trim.due(40 * MIB, 300 * MIB), "then quiet");
    }

    @Test
    void leavesAHeapThatGrewLittle() {
        HeapTrim trim = new HeapTrim(32 * MIB);
        trim.due(30 * MIB, 38 * MIB);
        assertFalse(trim.due(30 * MIB, 38 * MIB), "6 MiB above the floor is not worth a pause");
        trim.due(30 * MIB, 41 * MIB);
        assertTrue(trim.due(30 * MIB, 41 * MIB), "9 MiB above it is");
    }
}
