package org.trestle.sync.core.tests;

import java.math.BigDecimal;
import java.time.LocalDate;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** A test parent entity: server_wins, with version history. */
@Entity
@Table(name = "TEST_SITE")
public class Site extends SyncEntity {
    public enum Status { PLANNED, ACTIVE, DONE }

    @Column(length = 32)
    private String code;
    @Column(length = 200)
    private String name;
    @Column(precision = 15, scale = 2)
    private BigDecimal budget;
    private LocalDate startDate;
    @Enumerated(EnumType.STRING)
    @Column(length = 16)
    private Status status = Status.PLANNED;
    private int floors;

    public String getCode() { return code; }
    public void setCode(String code) { this.code = code; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public BigDecimal getBudget() { return budget; }
    public void setBudget(BigDecimal budget) { this.budget = budget; }
    public LocalDate getStartDate() { return startDate; }
    public void setStartDate(LocalDate startDate) { this.startDate = startDate; }
    public Status getStatus() { return status; }
    public void setStatus(Status status) { this.status = status; }
    public int getFloors() { return floors; }
    public void setFloors(int floors) { this.floors = floors; }
}
