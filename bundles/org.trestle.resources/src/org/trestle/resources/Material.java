package org.trestle.resources;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;

/**
 * A material of the price list. This plugin only declares its entity through the
 * extension point: storage, synchronization and conflicts come with no sync code here.
 */
@Entity
// the code must be unique: the rule looks it up on every save and every change received
@Table(name = "MATERIAL", indexes = @Index(name = "MATERIAL_CODE", columnList = "CODE"))
public class Material extends SyncEntity {

    @Column(name = "CODE", length = 32, nullable = false)
    private String code;
    @Column(name = "NAME", length = 200, nullable = false)
    private String name;
    @Column(name = "UNIT", length = 16, nullable = false)
    private String unit;
    @Column(name = "UNIT_PRICE", precision = 15, scale = 2, nullable = false)
    private BigDecimal unitPrice = BigDecimal.ZERO;

    @Override
    public List<String> validate(Validation validation) {
        List<String> problems = new ArrayList<>();
        if (code == null || code.isBlank()) {
            problems.add("code: required");
        } else if (code.length() > 32) {
            problems.add("code: 1 to 32 characters");
        } else if (!validation.isUnique("code", code)) {
            problems.add("code: another live material has the code " + code);
        }
        if (name == null || name.isBlank()) {
            problems.add("name: required");
        } else if (name.length() > 200) {
            problems.add("name: 1 to 200 characters");
        }
        if (unit == null || unit.isBlank()) {
            problems.add("unit: required");
        } else if (unit.length() > 16) {
            problems.add("unit: at most 16 characters");
        }
        if (unitPrice == null) {
            problems.add("unitPrice: required");
        } else if (unitPrice.signum() < 0) {
            problems.add("unitPrice: must not be negative");
        } else if (unitPrice.scale() > 2 || unitPrice.precision() - unitPrice.scale() > 13) {
            problems.add("unitPrice: at most 13 digits before and 2 after the point");
        }
        return problems;
    }

    public String getCode() { return code; }
    public void setCode(String code) { this.code = code; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getUnit() { return unit; }
    public void setUnit(String unit) { this.unit = unit; }
    public BigDecimal getUnitPrice() { return unitPrice; }
    public void setUnitPrice(BigDecimal unitPrice) { this.unitPrice = unitPrice; }
}
