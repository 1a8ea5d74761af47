package org.trestle.sync.persistence.tests;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A first version of an entity; {@link CrateV2} maps the same table with one more column. */
@Entity
@Table(name = "TEST_CRATE")
public class CrateV1 {
    @Id
    private String code;
    private String label;

    public CrateV1() {
    }

    public CrateV1(String code, String label) {
        this.code = code;
        this.label = label;
    }

    public String getCode() {
        return code;
    }

    public String getLabel() {
        return label;
    }
}
