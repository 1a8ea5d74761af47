/**
 * Test support for plugin authors and for Trestle itself: a server and clients, each on
 * its own real Derby database, exchanging packets in process, and a contract test an
 * entity type's author extends to prove the type synchronizes.
 *
 * @since 0.1
 */
package org.trestle.sync.testing;
