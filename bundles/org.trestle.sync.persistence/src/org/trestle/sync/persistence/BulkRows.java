package org.trestle.sync.persistence;

import java.sql.SQLException;

/**
 * Rows handed to {@link LocalStore#insertInBulk}, one at a time, as the database takes
 * them: none is held longer than it takes to write it.
 *
 * @since 0.1
 */
public interface BulkRows {

    /**
     * Moves to the next row.
     *
     * @return whether there is one
     * @throws SQLException when the rows cannot be read; the insert fails with it
     */
    boolean next() throws SQLException;

    /**
     * @param column the column's position among those given to
     *               {@link LocalStore#insertInBulk}, from 1
     * @return the column's value in the current row as JDBC takes it ({@code String},
     *         {@code BigDecimal}, {@code Integer}, {@code Long}, {@code Boolean},
     *         {@code Timestamp} and the like), or {@code null}
     */
    Object value(int column) throws SQLException;
}
