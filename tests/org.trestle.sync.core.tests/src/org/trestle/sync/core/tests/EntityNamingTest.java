package org.trestle.sync.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.eclipse.core.runtime.ContributorFactoryOSGi;
import org.eclipse.core.runtime.IExtensionRegistry;
import org.eclipse.core.runtime.RegistryFactory;
import org.junit.jupiter.api.Test;
import org.osgi.framework.FrameworkUtil;
import org.trestle.sync.api.ConflictStrategy;
import org.trestle.sync.api.EntityNaming;
import org.trestle.sync.api.EntityTypeInfo;
import org.trestle.sync.core.internal.EntityCatalog;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What people call a type and its records: declared in plugin.xml, read by the catalog, shown everywhere. */
class EntityNamingTest {

    @Test
    void aRecordIsTitledByTheDeclaredAttributesAndOtherwiseTheUsualOnes() {
        ObjectNode project = JsonNodeFactory.instance.objectNode().put("code", "P-7").put("name", "Harbour bridge")
                .putNull("address");
        assertEquals("P-7 Harbour bridge", new EntityNaming("Project", List.of("code", "name")).title(project));
        assertEquals("Harbour bridge", new EntityNaming("Project", List.of("address", "name")).title(project),
                "an empty attribute leaves no gap");
        assertEquals("P-7", EntityNaming.of("Project").title(project), "undeclared: the first usual attribute with a value");
        assertEquals("", EntityNaming.of("Project").title(JsonNodeFactory.instance.objectNode().put("uuid", "x")),
                "never the uuid");
        assertEquals("Estimate item", EntityNaming.of("EstimateItem").label());
        assertEquals("Site diary entry", EntityNaming.words("SiteDiaryEntry"));
        assertEquals(List.of("code", "name"), EntityNaming.parseTitle(" code , name "));
        assertThrows(IllegalArgumentException.class, () -> EntityNaming.parseTitle("code,,name"));
        assertThrows(IllegalArgumentException.class, () -> EntityNaming.parseTitle("code,code"));
    }

    @Test
    void theCatalogReadsTheLabelAndTitleAndLeavesOutATitleThatNamesNoAttribute() throws Exception {
        List<EntityTypeInfo> types = catalog("""
                <entity name="Memo" class="org.trestle.sync.core.tests.Memo" label="Site memo" title="text,amount"/>
                <entity name="Task" class="org.trestle.sync.core.tests.Task" title="colour"/>
                <entity name="Site" class="org.trestle.sync.core.tests.Site"/>
                """);
        assertEquals(List.of("Memo", "Site"), types.stream().map(EntityTypeInfo::name).sorted().toList(),
                "the declaration whose title names no attribute is left out, the others are not");
        EntityTypeInfo memo = types.stream().filter(t -> t.name().equals("Memo")).findFirst().orElseThrow();
        assertEquals("Site memo", memo.label());
        assertEquals("Fence 12.50", memo.title(JsonNodeFactory.instance.objectNode().put("text", "Fence")
                .put("amount", "12.50")));
        EntityTypeInfo site = types.stream().filter(t -> t.name().equals("Site")).findFirst().orElseThrow();
        assertEquals("Site", site.label(), "by default the name in words");
    }

    /** A catalog over a registry of its own holding the extension point and the given declarations. */
    private static List<EntityTypeInfo> catalog(String entities) {
        Object master = new Object();
        IExtensionRegistry registry = RegistryFactory.createRegistry(null, master, null);
        try {
            var contributor = ContributorFactoryOSGi.createContributor(FrameworkUtil.getBundle(EntityCatalog.class));
            String xml = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <?eclipse version="3.4"?>
                    <plugin>
                       <extension-point id="entities" name="entities"/>
                       <extension point="org.trestle.sync.core.entities">
                    %s   </extension>
                    </plugin>
                    """.formatted(entities);
            registry.addContribution(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), contributor, false,
                    "test", null, master);
            return new EntityCatalog(registry).types(ConflictStrategy.SERVER_WINS);
        } finally {
            registry.stop(master);
        }
    }
}
