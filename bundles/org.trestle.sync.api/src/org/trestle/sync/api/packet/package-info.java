/**
 * The wire model of the sync protocol: packets and changes.
 *
 * @since 0.1
 */
package org.trestle.sync.api.packet;
