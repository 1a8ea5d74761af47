package org.trestle.construction;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.Derived;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;

/**
 * An estimate for a project. Money: a conflict waits for a person. Its total is the
 * sum of its live items, recomputed on every node.
 */
@Entity
@Table(name = "ESTIMATE")
public class Estimate extends SyncEntity {

    /** Where an estimate stands. */
    public enum Status { DRAFT, SUBMITTED, APPROVED, REJECTED }

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    @ManyToOne(optional = false)
    @JoinColumn(name = "PROJECT_UUID", nullable = false)
    private Project project;
    @Column(name = "EST_NUMBER", length = 32, nullable = false)
    private String number;
    @Column(name = "TITLE", length = 200, nullable = false)
    private String title;
    @Enumerated(EnumType.STRING)
    @Column(name = "STATUS", length = 16, nullable = false)
    private Status status = Status.DRAFT;
    @Column(name = "CURRENCY", length = 3, nullable = false)
    private String currency = "EUR";
    @Derived
    @Column(name = "TOTAL", precision = 15, scale = 2)
    private BigDecimal total = BigDecimal.ZERO.setScale(2);
    @Column(name = "NOTES", length = 4000)
    private String notes;
    @OneToMany(mappedBy = "estimate")
    private List<EstimateItem> items = new ArrayList<>();

    @Override
    public List<String> validate(Validation validation) {
        List<String> problems = new ArrayList<>();
        if (project == null) {
            problems.add("project: required");
        }
        Rules.text(problems, "number", number, 1, 32);
        if (project != null && number != null && !number.isBlank()
                && !validation.isUniqueWithin("number", number, "project", project)) {
            problems.add("number: the project already has an estimate " + number);
        }
        Rules.text(problems, "title", title, 1, 200);
        if (status == null) {
            problems.add("status: required");
        }
        if (currency == null || !CURRENCY.matcher(currency).matches()) {
            problems.add("currency: an ISO 4217 code such as EUR");
        }
        Rules.text(problems, "notes", notes, 0, 4000);
        return problems;
    }

    /** The total is the sum of the live items' quantity times unit price. */
    @Override
    public void updateDerived() {
        BigDecimal sum = BigDecimal.ZERO;
        for (EstimateItem item : items) {
            if (!item.isDeleted() && item.getEstimate() == this) {
                sum = sum.add(item.lineTotal());
            }
        }
        sum = sum.setScale(2, RoundingMode.HALF_UP);
        if (total == null || total.compareTo(sum) != 0) {
            total = sum;
        }
    }

    public Project getProject() { return project; }
    public void setProject(Project project) { this.project = project; }
    public String getNumber() { return number; }
    public void setNumber(String number) { this.number = number; }
    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public Status getStatus() { return status; }
    public void setStatus(Status status) { this.status = status; }
    public String getCurrency() { return currency; }
    public void setCurrency(String currency) { this.currency = currency; }
    public BigDecimal getTotal() { return total; }
    public String getNotes() { return notes; }
    public void setNotes(String notes) { this.notes = notes; }
    /** @return the items, deleted ones included */
    public List<EstimateItem> getItems() { return items; }
}
