/**
 * What domain plugins extend: the mapped superclass of synchronized entities.
 *
 * @since 0.1
 */
package org.trestle.sync.api.entity;
