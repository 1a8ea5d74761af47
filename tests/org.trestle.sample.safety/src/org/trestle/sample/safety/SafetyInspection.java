package org.trestle.sample.safety;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

import org.trestle.construction.Project;
import org.trestle.sync.api.entity.SyncEntity;
import org.trestle.sync.api.entity.Validation;

/** A site safety inspection: the sample entity type of the plugin authors' guide. */
@Entity
@Table(name = "SAMPLE_SAFETY_INSPECTION")
public class SafetyInspection extends SyncEntity {

    @ManyToOne(optional = false)
    private Project project;
    private LocalDate inspectedOn;
    @Column(length = 200)
    private String inspector;
    private boolean passed;
    @Column(length = 4000)
    private String findings;

    @Override
    public List<String> validate(Validation validation) {
        List<String> problems = new ArrayList<>();
        if (project == null) {
            problems.add("project: required");
        }
        if (inspector == null || inspector.isBlank()) {
            problems.add("inspector: required");
        }
        return problems;
    }

    public Project getProject() { return project; }
    public void setProject(Project project) { this.project = project; }
    public LocalDate getInspectedOn() { return inspectedOn; }
    public void setInspectedOn(LocalDate inspectedOn) { this.inspectedOn = inspectedOn; }
    public String getInspector() { return inspector; }
    public void setInspector(String inspector) { this.inspector = inspector; }
    public boolean isPassed() { return passed; }
    public void setPassed(boolean passed) { this.passed = passed; }
    public String getFindings() { return findings; }
    public void setFindings(String findings) { this.findings = findings; }
}
