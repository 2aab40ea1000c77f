/* Wheelhouse web UI: admin screens (registered with WH.screen). */
'use strict';
