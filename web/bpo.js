/* Wheelhouse web UI: bpo screens (registered with WH.screen). */
'use strict';
