/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import org.eclipse.jdt.annotation.Nullable;

/**
 * What the call-home listener has seen since the controller started.
 *
 * @param accepted TCP connections accepted
 * @param refusedBusy connections closed at once because {@code maxHandshakes} handshakes were under way
 * @param unknownHostKeys connections refused because their host key identifies no registered gateway
 * @param failed calls of registered gateways that ended before NETCONF was up (authentication, hello, time limit)
 * @param sessions NETCONF sessions handed to the renderer
 * @param duplicatesRefused calls refused because the gateway's session proved alive
 * @param deadReplaced sessions closed because they did not answer while their gateway called again
 * @param unclaimed sessions closed because nobody asked for them in time
 * @param lastUnknownHostKey the most recent refused host key and where it came from, to onboard a gateway
 */
public record CallHomeCounters(long accepted, long refusedBusy, long unknownHostKeys, long failed, long sessions,
        long duplicatesRefused, long deadReplaced, long unclaimed, @Nullable String lastUnknownHostKey) {
}
