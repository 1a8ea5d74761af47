package org.trestle.sync.core.internal;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Pattern;

import org.trestle.sync.api.AdminToken;
import org.trestle.sync.api.packet.Wire;
import org.trestle.sync.core.internal.model.AdminTokenRow;

/** The server's named administration tokens, kept as hashes in its database. */
final class AdminTokens {

    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");

    private final EngineState state;

    AdminTokens(EngineState state) {
        this.state = state;
    }

    AdminToken create(String name, String tokenHash) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a token name is 1 to 64 letters, digits, '.', '_' or '-', starting with a"
                    + " letter or digit");
        }
        return state.inTx(em -> {
            if (em.find(AdminTokenRow.class, name) != null) {
                throw new IllegalStateException("there is already an admin token named " + name
                        + " (names of revoked tokens stay taken, so logs stay unambiguous)");
            }
            AdminTokenRow row = new AdminTokenRow();
            row.name = name;
            row.tokenHash = tokenHash;
            row.createdAt = Wire.now();
            em.persist(row);
            return info(row);
        });
    }

    void ensure(String name, String tokenHash) {
        state.inTx(em -> {
            AdminTokenRow row = em.find(AdminTokenRow.class, name);
            if (row == null) {
                row = new AdminTokenRow();
                row.name = name;
                row.tokenHash = tokenHash;
                row.createdAt = Wire.now();
                em.persist(row);
            } else if (!row.tokenHash.equals(tokenHash)) {
                // the configured token was changed on purpose: the new one is valid
                row.tokenHash = tokenHash;
                row.createdAt = Wire.now();
                row.revokedAt = null;
            }
            return null;
        });
    }

    Optional<AdminToken> byHash(String tokenHash) {
        return state.read(em -> em.createQuery("select t from AdminTokenRow t where t.tokenHash = :h and t.revokedAt is null",
                AdminTokenRow.class).setParameter("h", tokenHash).getResultStream().findFirst().map(AdminTokens::info));
    }

    List<AdminToken> list() {
        return state.read(em -> em.createQuery("select t from AdminTokenRow t order by t.name", AdminTokenRow.class)
                .getResultList().stream().map(AdminTokens::info).toList());
    }

    AdminToken revoke(String name) {
        return state.inTx(em -> {
            AdminTokenRow row = em.find(AdminTokenRow.class, name);
            if (row == null) {
                throw new NoSuchElementException("no admin token named " + name);
            }
            if (row.revokedAt == null) {
                long valid = em.createQuery("select count(t) from AdminTokenRow t where t.revokedAt is null", Long.class)
                        .getSingleResult();
                if (valid <= 1) {
                    throw new IllegalStateException("the admin token " + name + " is the last valid one: create another"
                            + " before revoking it");
                }
                row.revokedAt = Wire.now();
            }
            return info(row);
        });
    }

    private static AdminToken info(AdminTokenRow row) {
        return new AdminToken(row.name, row.createdAt, row.revokedAt);
    }
}
