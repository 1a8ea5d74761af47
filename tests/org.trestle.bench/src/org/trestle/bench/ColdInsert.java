package org.trestle.bench;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;

import org.trestle.sync.persistence.BulkRows;
import org.trestle.sync.persistence.derby.BulkRowsFunction;

/**
 * The limit of a client process that starts from nothing: a JVM of its own with nothing
 * but embedded Derby on its class path writes rows into the tables of a new database,
 * encrypted as the workbench's is, either with plain JDBC batches (1,000 rows a
 * transaction, as the client's packets) or in bulk as the client writes an initial load:
 * a table at a time with one {@code INSERT ... SELECT} from the table function of the
 * persistence bundle ({@link BulkRowsFunction}, the shipped class). What it inserts is read from a file before the clock starts: the
 * tables' statements and rows as {@link SyncBenchmark} read them from a client that holds
 * the load. It prints one line, {@code rows seconds cpu}: the inserts' time alone and the
 * CPU time the process spent meanwhile (its compilers and collector included), in seconds;
 * whoever starts it measures the process as a whole.
 * <p>
 * Runs outside OSGi ({@code java -cp}); it uses nothing but the JDK, Derby and the
 * persistence bundle's two plain classes.
 */
public final class ColdInsert {

    /** A table to make and fill: its statements, columns (with their SQL types) and rows. */
    record Table(String name, List<String> ddl, List<String> columns, List<String> types, List<Object[]> rows)
            implements Serializable {

        /** The rows in a plain JDBC batch: as many as the client's packets hold. */
        static final int BATCH = 1_000;

        /** @return the statement that inserts a row, its values as parameters */
        String insertSql() {
            return "INSERT INTO " + name + " (" + String.join(", ", columns) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        }

        /** @return the rows in batches of {@link #BATCH} */
        List<List<Object[]>> batches() {
            List<List<Object[]>> out = new java.util.ArrayList<>();
            for (int done = 0; done < rows.size(); done += BATCH) {
                out.add(rows.subList(done, Math.min(rows.size(), done + BATCH)));
            }
            return out;
        }

        /** Executes {@link #insertSql()} once for each row of a batch, as one JDBC batch. */
        static void insert(PreparedStatement ps, List<Object[]> batch) throws SQLException {
            for (Object[] row : batch) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private ColdInsert() {
    }

    /** Writes what the process inserts, for {@link #main}. */
    static void write(Path file, List<Table> tables) throws IOException {
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
            out.writeObject(new java.util.ArrayList<>(tables));
        }
    }

    /**
     * @param args {@code batched} or {@code bulk}, the file {@link #write} wrote, the
     *             database folder to create, and the encryption key (hex) or {@code -} for
     *             plain files
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !List.of("batched", "bulk").contains(args[0])) {
            System.err.println("usage: ColdInsert batched|bulk TABLES_FILE NEW_DATABASE_FOLDER KEY|-");
            System.exit(2);
        }
        boolean bulk = args[0].equals("bulk");
        args = java.util.Arrays.copyOfRange(args, 1, args.length);
        List<Table> tables;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
            @SuppressWarnings("unchecked")
            List<Table> read = (List<Table>) in.readObject();
            tables = read;
        }
        String url = "jdbc:derby:" + args[1] + ";create=true" + (args[2].equals("-") ? ""
                : ";dataEncryption=true;encryptionAlgorithm=AES/CBC/NoPadding;encryptionKey=" + args[2]);
        long rows = 0;
        long t0;
        long cpu0;
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (Table t : tables) {
                    for (String d : t.ddl()) {
                        s.execute(d);
                    }
                }
            }
            c.commit();
            cpu0 = processCpuNanos();
            t0 = System.nanoTime();
            for (Table t : tables) {
                if (bulk) {
                    bulk(c, t);
                } else {
                    batched(c, t);
                }
                rows += t.rows().size();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        try {
            DriverManager.getConnection("jdbc:derby:;shutdown=true");
        } catch (SQLException expected) {
            // Derby reports its shutdown as an exception
        }
        System.out.println(rows + " " + seconds + " " + cpu);
    }

    /** @return the CPU time of this process, every thread's, in nanoseconds */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Inserts a table's rows in plain JDBC batches, a transaction each. */
    private static void batched(Connection c, Table t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(t.insertSql())) {
            for (List<Object[]> batch : t.batches()) {
                Table.insert(ps, batch);
                c.commit();
            }
        }
    }

    /** Inserts a table's rows with one statement that Derby writes in bulk, in one transaction. */
    private static void bulk(Connection c, Table t) throws Exception {
        List<String> declared = new java.util.ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            declared.add(t.columns().get(i) + " " + t.types().get(i));
        }
        String function = "COLD_" + t.name();
        String list = String.join(", ", t.columns());
        List<Object[]> all = t.rows();
        BulkRows rows = new BulkRows() {
            private int at = -1;

            @Override
            public boolean next() {
                return ++at < all.size();
            }

            @Override
            public Object value(int column) {
                return all.get(at)[column - 1];
            }
        };
        try (Statement s = c.createStatement(); AutoCloseable offered = BulkRowsFunction.offer(rows)) {
            s.executeUpdate("CREATE FUNCTION " + function + "() RETURNS TABLE (" + String.join(", ", declared)
                    + ") LANGUAGE JAVA PARAMETER STYLE DERBY_JDBC_RESULT_SET NO SQL EXTERNAL NAME '"
                    + BulkRowsFunction.class.getName() + ".rows'");
            s.executeUpdate("INSERT INTO " + t.name() + " (" + list + ") SELECT " + list + " FROM TABLE(" + function
                    + "()) R");
        }
        c.commit();
    }
}
