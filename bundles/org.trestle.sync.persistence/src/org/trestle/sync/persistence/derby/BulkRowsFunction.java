package org.trestle.sync.persistence.derby;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Calendar;

import org.apache.derby.vti.VTITemplate;
import org.trestle.sync.persistence.BulkRows;

/**
 * The table function through which embedded Derby reads the rows of an
 * {@link org.trestle.sync.persistence.LocalStore#insertInBulk insertInBulk}: an
 * {@code INSERT ... SELECT} from a table function is what Derby writes in bulk. Derby
 * calls {@link #rows()} by its name, on the thread that runs the insert; its class loader
 * reaches this package through its dynamic imports, which is why the package is exported.
 * Not API: only this bundle offers rows to it.
 */
public final class BulkRowsFunction {

    private static final ThreadLocal<BulkRows> OFFERED = new ThreadLocal<>();

    private BulkRowsFunction() {
    }

    /**
     * Makes {@code rows} what the function returns on this thread until the returned
     * handle is closed.
     */
    public static AutoCloseable offer(BulkRows rows) {
        OFFERED.set(rows);
        return OFFERED::remove;
    }

    /** The function's body, as Derby calls it. */
    public static ResultSet rows() throws SQLException {
        BulkRows rows = OFFERED.get();
        if (rows == null) {
            throw new SQLException("No rows are offered for a bulk insert on this thread");
        }
        return new Rows(rows);
    }

    /** The offered rows as the result set Derby reads, column by column with the getter of the column's type. */
    private static final class Rows extends VTITemplate {
        private final BulkRows rows;
        private boolean wasNull;

        Rows(BulkRows rows) {
            this.rows = rows;
        }

        @Override
        public boolean next() throws SQLException {
            return rows.next();
        }

        @Override
        public void close() {
            // the rows belong to whoever offered them
        }

        @Override
        public ResultSetMetaData getMetaData() throws SQLException {
            throw new SQLException("The function's columns are those it was declared with");
        }

        @Override
        public boolean wasNull() {
            return wasNull;
        }

        private Object value(int column) throws SQLException {
            Object v = rows.value(column);
            wasNull = v == null;
            return v;
        }

        private Number number(int column) throws SQLException {
            Object v = value(column);
            if (v == null) {
                return 0;
            }
            if (v instanceof Number n) {
                return n;
            }
            if (v instanceof Boolean b) {
                return b ? 1 : 0;
            }
            try {
                return new BigDecimal(v.toString());
            } catch (NumberFormatException e) {
                throw new SQLException("Column " + column + " is not a number: " + v, "22018");
            }
        }

        @Override
        public String getString(int column) throws SQLException {
            Object v = value(column);
            return v == null ? null : v.toString();
        }

        @Override
        public boolean getBoolean(int column) throws SQLException {
            Object v = value(column);
            if (v == null) {
                return false;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof Number n) {
                return n.intValue() != 0;
            }
            return Boolean.parseBoolean(v.toString());
        }

        @Override
        public short getShort(int column) throws SQLException {
            return number(column).shortValue();
        }

        @Override
        public int getInt(int column) throws SQLException {
            return number(column).intValue();
        }

        @Override
        public long getLong(int column) throws SQLException {
            return number(column).longValue();
        }

        @Override
        public float getFloat(int column) throws SQLException {
            return number(column).floatValue();
        }

        @Override
        public double getDouble(int column) throws SQLException {
            return number(column).doubleValue();
        }

        @Override
        public BigDecimal getBigDecimal(int column) throws SQLException {
            Object v = value(column);
            if (v == null || v instanceof BigDecimal) {
                return (BigDecimal) v;
            }
            return new BigDecimal(number(column).toString());
        }

        @Override
        public Timestamp getTimestamp(int column) throws SQLException {
            Object v = value(column);
            return switch (v) {
                case null -> null;
                case Timestamp t -> t;
                case java.util.Date d -> new Timestamp(d.getTime());
                case Instant i -> Timestamp.from(i);
                case LocalDateTime l -> Timestamp.valueOf(l);
                case OffsetDateTime o -> Timestamp.from(o.toInstant());
                case Calendar c -> new Timestamp(c.getTimeInMillis());
                default -> throw new SQLException("Column " + column + " is not a point in time: " + v, "22007");
            };
        }

        @Override
        public Timestamp getTimestamp(int column, Calendar calendar) throws SQLException {
            return getTimestamp(column);
        }

        @Override
        public Date getDate(int column) throws SQLException {
            Object v = value(column);
            return switch (v) {
                case null -> null;
                case Date d -> d;
                case LocalDate l -> Date.valueOf(l);
                case java.util.Date d -> new Date(d.getTime());
                case Calendar c -> new Date(c.getTimeInMillis());
                default -> throw new SQLException("Column " + column + " is not a date: " + v, "22007");
            };
        }

        @Override
        public Date getDate(int column, Calendar calendar) throws SQLException {
            return getDate(column);
        }

        @Override
        public Time getTime(int column) throws SQLException {
            Object v = value(column);
            return switch (v) {
                case null -> null;
                case Time t -> t;
                case LocalTime l -> Time.valueOf(l);
                case java.util.Date d -> new Time(d.getTime());
                case Calendar c -> new Time(c.getTimeInMillis());
                default -> throw new SQLException("Column " + column + " is not a time of day: " + v, "22007");
            };
        }

        @Override
        public Time getTime(int column, Calendar calendar) throws SQLException {
            return getTime(column);
        }
    }
}
