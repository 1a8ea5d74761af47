package org.trestle.sync.persistence.tests;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** {@link CrateV1} after a plugin update added an attribute. */
@Entity
@Table(name = "TEST_CRATE")
public class CrateV2 {
    @Id
    private String code;
    private String label;
    @Column(precision = 15, scale = 3)
    private BigDecimal weight;

    public CrateV2() {
    }

    public String getCode() {
        return code;
    }

    public String getLabel() {
        return label;
    }

    public BigDecimal getWeight() {
        return weight;
    }

    public void setWeight(BigDecimal weight) {
        this.weight = weight;
    }
}
