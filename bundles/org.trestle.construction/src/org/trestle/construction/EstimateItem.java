package org.trestle.construction;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;

/** A line of an estimate. Line edits: the latest counts. */
@Entity
@Table(name = "ESTIMATE_ITEM")
public class EstimateItem extends SyncEntity {

    @ManyToOne(optional = false)
    @JoinColumn(name = "ESTIMATE_UUID", nullable = false)
    private Estimate estimate;
    @Column(name = "ITEM_POSITION", nullable = false)
    private int position = 1;
    @Column(name = "DESCRIPTION", length = 500, nullable = false)
    private String description;
    @Column(name = "UNIT", length = 16, nullable = false)
    private String unit;
    @Column(name = "QUANTITY", precision = 15, scale = 3, nullable = false)
    private BigDecimal quantity = BigDecimal.ZERO;
    @Column(name = "UNIT_PRICE", precision = 15, scale = 2, nullable = false)
    private BigDecimal unitPrice = BigDecimal.ZERO;

    @Override
    public List<String> validate(Validation validation) {
        List<String> problems = new ArrayList<>();
        if (estimate == null) {
            problems.add("estimate: required");
        }
        if (position < 1) {
            problems.add("position: 1 or more");
        }
        Rules.text(problems, "description", description, 1, 500);
        Rules.text(problems, "unit", unit, 1, 16);
        if (quantity == null) {
            problems.add("quantity: required");
        }
        if (unitPrice == null) {
            problems.add("unitPrice: required");
        }
        Rules.notNegative(problems, "quantity", quantity, 12, 3);
        Rules.notNegative(problems, "unitPrice", unitPrice, 13, 2);
        return problems;
    }

    /** @return quantity times unit price */
    public BigDecimal lineTotal() {
        return quantity == null || unitPrice == null ? BigDecimal.ZERO : quantity.multiply(unitPrice);
    }

    /** Keeps the estimate's total current, however this item changed. */
    @Override
    public void updateDerived() {
        if (estimate != null) {
            if (!estimate.getItems().contains(this)) {
                estimate.getItems().add(this);
            }
            estimate.updateDerived();
        }
    }

    public Estimate getEstimate() { return estimate; }
    public void setEstimate(Estimate estimate) { this.estimate = estimate; }
    public int getPosition() { return position; }
    public void setPosition(int position) { this.position = position; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getUnit() { return unit; }
    public void setUnit(String unit) { this.unit = unit; }
    public BigDecimal getQuantity() { return quantity; }
    public void setQuantity(BigDecimal quantity) { this.quantity = quantity; }
    public BigDecimal getUnitPrice() { return unitPrice; }
    public void setUnitPrice(BigDecimal unitPrice) { this.unitPrice = unitPrice; }
}
