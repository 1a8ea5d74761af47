/**
 * The construction domain's user interface: the estimate editor, contributed with the
 * domain's table parts by this bundle's model fragment.
 */
package org.trestle.construction.ui;
