package org.trestle.sync.core.tests;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** The entity type "Note" as version 1.0.0 of its declaration has it: a title and a text. */
@Entity(name = "NoteV1")
@Table(name = "TEST_NOTE")
public class NoteV1 extends SyncEntity {
    @Column(length = 200)
    private String title;
    @Column(length = 2000)
    private String body;

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public String getBody() { return body; }
    public void setBody(String body) { this.body = body; }
}
