package dev.evmindexer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evmindexer.config.ConfigException;
import dev.evmindexer.config.ConfigLoader;
import dev.evmindexer.store.TableDdl;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sources[].events[].finalized_view} (ARCHITECTURE.md, invariant 9): parsed, checked against the chain's reconcile. */
class FinalizedViewConfigTest {
    private static final String YAML = """
            chains:
              - name: mainnet
                chain_id: 1
                rpc: [https://a.example, https://b.example]
                reconcile: %s
            sources:
              - name: usdc
                chain: mainnet
                events:
                  - signature: "event Transfer(address indexed from, address indexed to, uint256 value)"
                    table: transfers
            %s
            """;

    private static EventTable plan(String reconcile, String viewLine) throws ConfigException {
        return IndexPlan.from(ConfigLoader.parse(YAML.formatted(reconcile, viewLine), "test.yaml", Map.of())).allTables().get(0);
    }

    @Test
    void theDefaultViewShowsEveryFinalizedRow() throws ConfigException {
        EventTable t = plan("all", "");
        assertFalse(t.reconciledView());
        assertFalse(TableDdl.createView(t).contains("reconciled"), TableDdl.createView(t));
        assertFalse(plan("all", "        finalized_view: finalized").reconciledView());
    }

    @Test
    void aReconciledViewStopsBeforeTheFirstBlockNotReconciled() throws ConfigException {
        EventTable t = plan("all", "        finalized_view: reconciled");
        assertTrue(t.reconciledView());
        String sql = TableDdl.createView(t);
        assertTrue(sql.contains("unnest(e.reconciled)") && sql.contains("indexer.finalized_through("), sql);
    }

    @Test
    void aReconciledViewNeedsReconcileAll() {
        ConfigException e = assertThrows(ConfigException.class, () -> plan("0.5", "        finalized_view: reconciled"));
        assertEquals("sources[0].events[0].finalized_view", e.path());
        assertTrue(e.getMessage().contains("chain mainnet has reconcile: 0.5; set reconcile: all there"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> plan("off", "        finalized_view: reconciled"));
        assertTrue(e.getMessage().contains("reconcile: off"), e.getMessage());
    }

    @Test
    void anUnknownValueIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> plan("all", "        finalized_view: checked"));
        assertEquals("sources[0].events[0].finalized_view", e.path());
        assertTrue(e.getMessage().contains("expected \"finalized\" (rows at or below the finalized block, the default) or "
                + "\"reconciled\" (only rows reconciliation confirmed), got \"checked\""), e.getMessage());
    }
}
