/**
 * The Indonesian message catalogue: every user-facing string of the web application, by key. An English catalogue
 * can follow with the same keys (the type `MessageKey` lists them). One file per area, so pages own their text.
 */
import { admin } from './admin';
import { auditor } from './auditor';
import { common } from './common';
import { publicBoard } from './public';
import { secretary } from './secretary';
import { verifier } from './verifier';

export const id = { ...common, ...publicBoard, ...secretary, ...verifier, ...auditor, ...admin } as const;
