/**
 * The client side of the sync protocol over HTTP(S): registration and the transport the
 * shipped sync service, the command line, the benchmarks and the tests exchange through.
 *
 * @since 0.1
 */
package org.trestle.sync.client;
