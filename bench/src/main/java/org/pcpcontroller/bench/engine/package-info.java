/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * JMH benchmarks of the request engine (PCP MAP and NAT-PMP map through the real engine and mapping store over the
 * in-memory datastore) and of the port allocator at 10^3, 10^5 and 10^6 existing mappings.
 */
package org.pcpcontroller.bench.engine;
