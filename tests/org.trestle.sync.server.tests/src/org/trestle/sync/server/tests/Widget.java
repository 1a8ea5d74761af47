package org.trestle.sync.server.tests;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import org.trestle.sync.api.entity.SyncEntity;

/** A test entity type the server stores. */
@Entity
@Table(name = "TEST_WIDGET")
public class Widget extends SyncEntity {
    @Column(length = 200)
    private String name;
    private int qty;

    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public int getQty() { return qty; }
    public void setQty(int qty) { this.qty = qty; }
}
