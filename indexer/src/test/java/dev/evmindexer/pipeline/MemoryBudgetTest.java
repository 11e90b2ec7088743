package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void aReservationWaitsUntilEnoughIsReleased() throws Exception {
        MemoryBudget b = new MemoryBudget(100);
        MemoryBudget.Reservation first = b.reserve(70);
        CountDownLatch got = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            try (MemoryBudget.Reservation second = b.reserve(50)) {
                got.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertFalse(got.await(200, TimeUnit.MILLISECONDS), "70 + 50 > 100: the second waits");
        first.close();
        assertTrue(got.await(5, TimeUnit.SECONDS), "released: the second goes ahead");
        t.join();
        assertEquals(0, b.reserved());
        assertEquals(70, b.peak());
    }

    @Test
    void aCorrectionMayOverdrawAndThenHoldsBackNewReservations() throws Exception {
        MemoryBudget b = new MemoryBudget(100);
        MemoryBudget.Reservation r = b.reserve(10);
        r.resize(150); // the answer was bigger than estimated: never waits
        assertEquals(150, b.reserved());
        CountDownLatch got = new CountDownLatch(1);
        Thread t = Thread.ofVirtual().start(() -> {
            try (MemoryBudget.Reservation s = b.reserve(1)) {
                got.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertFalse(got.await(200, TimeUnit.MILLISECONDS));
        r.resize(20);
        assertTrue(got.await(5, TimeUnit.SECONDS), "shrunk below the budget: the next goes ahead");
        t.join();
        r.close();
        r.close(); // idempotent
        assertEquals(0, b.reserved());
    }

    @Test
    void aReservationBiggerThanTheBudgetTakesAllOfItWhenNothingElseIsHeld() throws Exception {
        MemoryBudget b = new MemoryBudget(100);
        try (MemoryBudget.Reservation r = b.reserve(1_000)) {
            assertEquals(100, r.bytes());
        }
        assertEquals(0, b.reserved());
    }

    @Test
    void reservationsAreServedInTheOrderAskedSoABigOneIsNotStarved() throws Exception {
        MemoryBudget b = new MemoryBudget(100);
        MemoryBudget.Reservation small = b.reserve(10);
        CountDownLatch bigGot = new CountDownLatch(1);
        Thread big = Thread.ofVirtual().start(() -> {
            try (MemoryBudget.Reservation all = b.reserve(100)) {
                bigGot.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        while (b.reserved() == 10 && big.getState() != Thread.State.WAITING && big.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        CountDownLatch laterGot = new CountDownLatch(1);
        Thread later = Thread.ofVirtual().start(() -> {
            try (MemoryBudget.Reservation r = b.reserve(10)) {
                laterGot.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertFalse(laterGot.await(200, TimeUnit.MILLISECONDS), "10 + 10 would fit, but the big one asked first");
        small.close();
        assertTrue(bigGot.await(5, TimeUnit.SECONDS));
        assertTrue(laterGot.await(5, TimeUnit.SECONDS));
        big.join();
        later.join();
        assertEquals(0, b.reserved());
    }

    @Test
    void anInterruptedWaiterGivesItsTurnUp() throws Exception {
        MemoryBudget b = new MemoryBudget(100);
        MemoryBudget.Reservation held = b.reserve(100);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                b.reserve(50);
            } catch (InterruptedException expected) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(100);
        waiter.interrupt();
        waiter.join();
        held.close();
        CountDownLatch got = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try (MemoryBudget.Reservation r = b.reserve(50)) {
                got.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(got.await(5, TimeUnit.SECONDS), "not stuck behind the abandoned ticket");
    }

    @Test
    void theSharedBudgetIsAQuarterOfTheHeap() {
        assertEquals((long) (Runtime.getRuntime().maxMemory() * MemoryBudget.HEAP_SHARE), MemoryBudget.shared().total());
    }

    @Test
    void fetchersFollowFromTheBudgetTheEndpointsAndThePool() {
        long piece = MemoryBudget.bytesOf(10_000, 0);
        assertEquals(6, ChainSettings.fetchersFor(6 * piece, 10_000, 32, 8), "memory allows 6, pool 8 - 2 = 6");
        assertEquals(2, ChainSettings.fetchersFor(piece / 2, 10_000, 32, 8), "at least 2");
        assertEquals(3, ChainSettings.fetchersFor(100 * piece, 10_000, 32, 5), "pool of 5 leaves 3");
        assertEquals(4, ChainSettings.fetchersFor(100 * piece, 10_000, 8, 20), "half of 8 requests in flight");
        assertEquals(ChainSettings.MAX_DEFAULT_FETCHERS, ChainSettings.fetchersFor(1000 * piece, 10_000, 200, 100));
    }
}
