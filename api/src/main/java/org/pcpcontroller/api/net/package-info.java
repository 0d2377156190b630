/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
/**
 * Address and port value types shared by every stage.
 */
@NonNullByDefault
package org.pcpcontroller.api.net;

import org.eclipse.jdt.annotation.NonNullByDefault;
