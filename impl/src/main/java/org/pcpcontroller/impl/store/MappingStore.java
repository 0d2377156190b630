/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.util.concurrent.ListenableFuture;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;

/**
 * The mappings of every gateway: an in-memory index for decisions, backed by the datastore for durability. The
 * future of every change completes only once the datastore has committed it, so that nothing acknowledged is lost.
 * Mappings whose lease ends are removed by the store itself.
 */
public interface MappingStore {

    Optional<Mapping> get(MappingKey key);

    /**
     * Number of mappings of a gateway.
     */
    int count(String gateway);

    /**
     * Number of mappings of every gateway, for the controller's limit.
     */
    int countAll();

    /**
     * Number of mappings of a gateway whose internal address lies in {@code client}, for quotas: an IPv4 address
     * (a /32), or the IPv6 prefix that makes one client. The cost is the number of internal hosts with mappings
     * inside it, never the gateway's number of mappings.
     */
    int countForClient(String gateway, IpPrefix client);

    /**
     * A snapshot of the mappings of a gateway.
     */
    List<Mapping> mappings(String gateway);

    /**
     * The mappings of a gateway whose internal address is {@code internal}, for "delete all my mappings" requests.
     * This default scans the gateway; implementations index it.
     */
    default List<Mapping> mappingsOf(final String gateway, final InetAddress internal) {
        return mappings(gateway).stream().filter(mapping -> mapping.key().internalAddress().equals(internal))
            .toList();
    }

    /**
     * The internal endpoint whose mapping stops {@code owner} from using {@code external}, or null if it is free for
     * {@code owner}.
     */
    @Nullable InternalEndpoint conflictingOwner(ExternalEndpoint external, InternalEndpoint owner);

    /**
     * The first port of {@code range}, searching upwards from {@code from} and wrapping around, that no mapping of
     * this gateway uses on this external address and protocol; empty if every port of the range is used. Mappings of
     * protocol 0 or port 0 are not looked at: the caller confirms a candidate with {@link #conflictingOwner}. The
     * cost is bounded by the size of the range, whatever the number of mappings.
     */
    OptionalInt nextFreePort(String gateway, InetAddress externalAddress, int protocol, PortRange range, int from);

    /**
     * Creates or replaces a mapping.
     *
     * @return a future completing with the mapping once committed, or failing with {@link MappingConflictException}
     *         when its external endpoint is held by another internal endpoint
     */
    ListenableFuture<Mapping> put(Mapping mapping);

    /**
     * Creates a mapping that must not exist yet.
     *
     * @return a future completing with the mapping once committed, or failing with {@link MappingConflictException}
     *         when a mapping with the same key exists or its external endpoint is held by another internal endpoint
     */
    ListenableFuture<Mapping> create(Mapping mapping);

    /**
     * Removes a mapping.
     *
     * @return a future completing with the removed mapping, or empty if there was none
     */
    ListenableFuture<Optional<Mapping>> remove(MappingKey key);

    /**
     * Removes a mapping only if it is still exactly {@code expected}: a change made by another request in between
     * (a refresh that was answered SUCCESS, say) keeps it.
     *
     * @return a future completing with the removed mapping, or empty if it was gone or had changed
     */
    ListenableFuture<Optional<Mapping>> removeIfUnchanged(Mapping expected);

    /**
     * Removes every mapping of a gateway, or those of one origin. The gateway's epoch continues.
     *
     * @return a future completing with the removed mappings
     */
    ListenableFuture<List<Mapping>> clear(String gateway, @Nullable Origin origin);

    /**
     * Forgets a gateway that is no longer configured: its mappings and its epoch.
     *
     * @return a future completing with the removed mappings
     */
    ListenableFuture<List<Mapping>> removeGateway(String gateway);

    /**
     * The start of a gateway's PCP epoch (RFC 6887 section 8.5). It continues across restarts while the external
     * address stays the same, and starts anew, now, when it changes.
     */
    ListenableFuture<Instant> epochOrigin(String gateway, @Nullable InetAddress externalAddress);
}
