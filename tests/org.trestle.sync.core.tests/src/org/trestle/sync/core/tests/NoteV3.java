package org.trestle.sync.core.tests;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** The entity type "Note" as version 2.0.0 of its declaration has it: {@code body} renamed {@code text}. */
@Entity(name = "NoteV3")
@Table(name = "TEST_NOTE_V3")
public class NoteV3 extends SyncEntity {
    @Column(length = 200)
    private String title;
    @Column(length = 2000)
    private String text;
    @Column(length = 64)
    private String category;

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public String getText() { return text; }
    public void setText(String text) { this.text = text; }
    public String getCategory() { return category; }
    public void setCategory(String category) { this.category = category; }
}
