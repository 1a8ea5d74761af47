/**
 * The public API of Trestle's synchronization: protocol constants shared by client,
 * server and tools.
 *
 * @since 0.1
 */
package org.trestle.sync.api;
