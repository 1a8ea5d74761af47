package org.trestle.app.internal.parts;

import org.eclipse.e4.core.di.annotations.Optional;
import org.eclipse.e4.ui.di.UIEventTopic;
import org.eclipse.e4.ui.model.application.ui.basic.MPartStack;
import org.eclipse.e4.ui.workbench.UIEvents;
import org.eclipse.swt.custom.CTabFolder;
import org.osgi.service.event.Event;

import jakarta.inject.Inject;

/**
 * Keeps tab titles readable when a stack holds more tabs than fit: each title keeps at
 * least {@link #MINIMUM} characters, and the tabs that do not fit are reached through the
 * stack's chevron, as in the Eclipse IDE, rather than all squeezed to a few letters. An
 * addon of the application model.
 */
public class TabTitles {

    /** The characters a tab's title keeps however many tabs its stack holds. */
    public static final int MINIMUM = 18;

    @Inject
    @Optional
    void rendered(@UIEventTopic(UIEvents.UIElement.TOPIC_WIDGET) Event event) {
        if (event.getProperty(UIEvents.EventTags.ELEMENT) instanceof MPartStack
                && event.getProperty(UIEvents.EventTags.NEW_VALUE) instanceof CTabFolder folder) {
            folder.setMinimumCharacters(MINIMUM);
        }
    }
}
