package org.trestle.sync.core.tests;

import java.math.BigDecimal;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** A test entity with manual conflict resolution. */
@Entity
@Table(name = "TEST_MEMO")
public class Memo extends SyncEntity {
    @ManyToOne
    private Site site;
    @Column(length = 4000)
    private String text;
    @Column(precision = 15, scale = 2)
    private BigDecimal amount;

    public Site getSite() { return site; }
    public void setSite(Site site) { this.site = site; }
    public String getText() { return text; }
    public void setText(String text) { this.text = text; }
    public BigDecimal getAmount() { return amount; }
    public void setAmount(BigDecimal amount) { this.amount = amount; }
}
