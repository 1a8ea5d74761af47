package org.trestle.sync.core.tests;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** A test child entity referencing a {@link Site}: timestamp_wins. */
@Entity
@Table(name = "TEST_TASK")
public class Task extends SyncEntity {
    @ManyToOne(optional = false)
    private Site site;
    @Column(length = 200)
    private String title;
    private Integer hours;

    public Site getSite() { return site; }
    public void setSite(Site site) { this.site = site; }
    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public Integer getHours() { return hours; }
    public void setHours(Integer hours) { this.hours = hours; }
}
