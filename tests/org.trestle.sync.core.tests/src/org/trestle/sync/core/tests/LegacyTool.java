package org.trestle.sync.core.tests;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** A tool of a table that existed before Trestle: its own key ({@code ID}) and a name. */
@Entity(name = "LegacyTool")
@Table(name = "TEST_LEGACY_TOOL")
public class LegacyTool extends SyncEntity {
    @Column(name = "ID")
    private Integer legacyId;
    @Column(name = "NAME", length = 100)
    private String name;

    public Integer getLegacyId() { return legacyId; }
    public void setLegacyId(Integer legacyId) { this.legacyId = legacyId; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
}
