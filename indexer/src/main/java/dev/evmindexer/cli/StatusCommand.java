package dev.evmindexer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.evmindexer.daemon.Failures;
import dev.evmindexer.pipeline.IndexPlan;
import dev.evmindexer.rpc.RpcChainSource;
import dev.evmindexer.store.StatusQueries;
import dev.evmindexer.store.StatusQueries.ChainSnapshot;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code status}: per chain the node's head, the finalized block, our tip and lag; per table its coverage.
 * Every stored figure comes from one snapshot of the database, read before the node is asked; a node that does
 * not answer is reported as such (with the head the daemon last saw) and the stored figures are shown anyway.
 */
@Command(name = "status", description = "Show head, finalized, tip, lag and covered ranges per chain and table "
        + "(stored figures from one database snapshot; a node that is down is reported, not waited for).")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Spec
    CommandSpec spec;

    /** The node's head now, or why it could not be read. */
    record NodeHead(long head, String error) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Wiring w = Wiring.load(config.file)) {
            w.openDatabase("evm-indexer status");
            List<IndexPlan.ChainPlan> chains = List.copyOf(w.plan.chains().values());
            List<ChainSnapshot> stored = StatusQueries.snapshot(w.database.dataSource(),
                    chains.stream().map(c -> c.settings().chainId()).toList());
            List<Map<String, Object>> report = new ArrayList<>();
            for (int i = 0; i < chains.size(); i++) {
                String name = chains.get(i).settings().name();
                Map<String, Object> chain = chainReport(name, stored.get(i), nodeHead(w.openSource(name)));
                addFactories(chain, chains.get(i).tables(), StatusQueries.children(w.database.dataSource(),
                        chains.get(i).settings().chainId()));
                report.add(chain);
            }
            if (json) {
                out.println(new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                        .writeValueAsString(Map.of("chains", report)));
            } else {
                report.forEach(c -> print(out, c));
            }
            return 0;
        }
    }

    /**
     * One round of chain-id checks, then the head: bounded by the endpoints' timeouts and retries, never waiting
     * for a node to come back.
     */
    static NodeHead nodeHead(RpcChainSource source) {
        try {
            source.verifyOnce();
            source.stopWaiting(); // an endpoint that fails now is not waited for
            return new NodeHead(source.heads().head(), null);
        } catch (RuntimeException e) {
            return new NodeHead(-1, Failures.describe(e));
        }
    }

    static Map<String, Object> chainReport(String name, ChainSnapshot s, NodeHead node) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("chain_id", s.chainId());
        c.put("node_head", node.error() == null ? node.head() : null);
        if (node.error() != null) c.put("node_error", node.error());
        c.put("last_seen_head", s.lastHead().orElse(null));
        c.put("last_seen_head_at", s.lastHeadAt().map(Object::toString).orElse(null));
        c.put("finalized", s.finalized() < 0 ? null : s.finalized());
        c.put("tip", s.tip() < 0 ? null : s.tip());
        c.put("lag_blocks", node.error() == null && s.tip() >= 0 ? Math.max(0, node.head() - s.tip()) : null);
        c.put("epoch", s.epoch());
        c.put("halted_reason", s.haltedReason().orElse(null));
        List<Map<String, Object>> tables = new ArrayList<>();
        for (StatusQueries.TableStatus t : s.tables()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", t.table());
            m.put("start_block", t.startBlock());
            m.put("coverage", t.coverage());
            m.put("finalized_through", t.finalizedThrough() < 0 ? null : t.finalizedThrough());
            m.put("reconciled", t.reconciled());
            tables.add(m);
        }
        c.put("tables", tables);
        return c;
    }

    /**
     * Adds to each table of {@code chain} that follows a factory's children its factory link ({@code factory}: the key
     * {@code schema.table.parameter}) and the children stored so far ({@code children}, {@code last_child_block}).
     */
    @SuppressWarnings("unchecked")
    static void addFactories(Map<String, Object> chain, List<dev.evmindexer.pipeline.EventTable> tables,
            Map<String, StatusQueries.ChildCount> counts) {
        for (Map<String, Object> m : (List<Map<String, Object>>) chain.get("tables")) {
            for (var t : tables) {
                if (!t.qualifiedName().equals(m.get("table")) || t.factory() == null) continue;
                StatusQueries.ChildCount n = counts.getOrDefault(t.factory().key(), new StatusQueries.ChildCount(0, -1));
                m.put("factory", t.factory().key());
                m.put("children", n.children());
                m.put("last_child_block", n.lastCreated() < 0 ? null : n.lastCreated());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void print(PrintWriter out, Map<String, Object> c) {
        String head = c.get("node_head") != null ? c.get("node_head").toString()
                : "unknown: the node does not answer (" + c.get("node_error") + "; head last seen "
                        + (c.get("last_seen_head") == null ? "never" : c.get("last_seen_head") + " at " + c.get("last_seen_head_at"))
                        + "; what follows is from the database)";
        out.printf("chain %s (id %s): head %s, finalized %s, tip %s, lag %s blocks, epoch %s%s%n", c.get("name"),
                c.get("chain_id"), head, orNone(c.get("finalized")), orNone(c.get("tip")),
                c.get("lag_blocks") == null ? "?" : c.get("lag_blocks"), c.get("epoch"),
                c.get("halted_reason") == null ? "" : ", HALTED: " + c.get("halted_reason"));
        for (Map<String, Object> t : (List<Map<String, Object>>) c.get("tables")) {
            out.printf("  table %s: from block %s, covered %s, finalized through %s, reconciled %s%n", t.get("table"),
                    t.get("start_block"), t.get("coverage"), t.get("finalized_through") == null ? "-" : t.get("finalized_through"),
                    t.get("reconciled"));
            if (t.get("factory") != null) {
                out.printf("    children of %s: %s, the last created in block %s%n", t.get("factory"), t.get("children"),
                        orNone(t.get("last_child_block")));
            }
        }
    }

    private static String orNone(Object v) {
        return v == null ? "none" : v.toString();
    }
}
