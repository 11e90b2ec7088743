package dev.evmindexer.config;

import java.util.HashMap;
import java.util.Map;

/** Values that must be unique across the config (chain names and ids, source names, tables). */
final class Claims {
    private record First(String path, int line) {}

    private final Map<String, First> firsts = new HashMap<>();

    /** Records that {@code where} uses {@code value} as a {@code what}; a second use is an error. */
    void claim(String what, String value, Tree where) throws ConfigException {
        First first = firsts.putIfAbsent(what + '\0' + value, new First(where.path(), where.line()));
        if (first != null) {
            throw where.error("duplicate " + what + " " + Tree.show(value) + " (already used by " + first.path()
                    + " on line " + first.line() + ")");
        }
    }

    /**
     * Claims an event table name for a source on {@code chain}. One chain may not use a table twice; sources on
     * different chains may share one (the plan checks that their definitions agree). Tables share PostgreSQL's
     * namespace with the views named {@code <table>} + {@value SourceBinder#FINALIZED_VIEW_SUFFIX} the store
     * creates for them, so a table may not take the name of another table's view, nor the other way round.
     */
    void claimTable(String table, String chain, Tree where) throws ConfigException {
        First onChain = firsts.putIfAbsent("table\0" + chain + '\0' + table, new First(where.path(), where.line()));
        if (onChain != null) {
            throw where.error("duplicate table " + Tree.show(table) + " (already used by " + onChain.path() + " on line "
                    + onChain.line() + "); sources may share a table only when they are on different chains");
        }
        First owner = firsts.get("view\0" + table);
        if (owner != null) {
            throw where.error("table " + Tree.show(table) + " has the name of the view created for the table at "
                    + owner.path() + " on line " + owner.line() + "; rename one of them");
        }
        String view = table + SourceBinder.FINALIZED_VIEW_SUFFIX;
        First clash = firsts.get("table\0" + view);
        if (clash != null) {
            throw where.error("the view " + Tree.show(view) + " created for this table has the name of the table at "
                    + clash.path() + " on line " + clash.line() + "; rename one of them");
        }
        firsts.putIfAbsent("table\0" + table, new First(where.path(), where.line()));
        firsts.putIfAbsent("view\0" + view, new First(where.path(), where.line()));
    }
}
