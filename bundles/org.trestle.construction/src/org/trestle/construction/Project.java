package org.trestle.construction;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Index;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;

/** A construction project. Master data owned by the office: the server's version wins a conflict. */
@Entity
// the code must be unique: the rule looks it up on every save and every change received
@Table(name = "PROJECT", indexes = @Index(name = "PROJECT_CODE", columnList = "CODE"))
public class Project extends SyncEntity {

    /** Where a project stands. */
    public enum Status { PLANNED, ACTIVE, ON_HOLD, COMPLETED }

    @Column(name = "CODE", length = 32, nullable = false)
    private String code;
    @Column(name = "NAME", length = 200, nullable = false)
    private String name;
    @Column(name = "ADDRESS", length = 500)
    private String address;
    @Enumerated(EnumType.STRING)
    @Column(name = "STATUS", length = 16, nullable = false)
    private Status status = Status.PLANNED;
    @Column(name = "BUDGET", precision = 15, scale = 2)
    private BigDecimal budget;
    @Column(name = "START_DATE")
    private LocalDate startDate;

    @Override
    public List<String> validate(Validation validation) {
        List<String> problems = new ArrayList<>();
        Rules.text(problems, "code", code, 1, 32);
        if (code != null && !code.isBlank() && !validation.isUnique("code", code)) {
            problems.add("code: another live project has the code " + code);
        }
        Rules.text(problems, "name", name, 1, 200);
        Rules.text(problems, "address", address, 0, 500);
        if (status == null) {
            problems.add("status: required");
        }
        Rules.notNegative(problems, "budget", budget, 13, 2);
        return problems;
    }

    public String getCode() { return code; }
    public void setCode(String code) { this.code = code; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public String getAddress() { return address; }
    public void setAddress(String address) { this.address = address; }
    public Status getStatus() { return status; }
    public void setStatus(Status status) { this.status = status; }
    public BigDecimal getBudget() { return budget; }
    public void setBudget(BigDecimal budget) { this.budget = budget; }
    public LocalDate getStartDate() { return startDate; }
    public void setStartDate(LocalDate startDate) { this.startDate = startDate; }
}
