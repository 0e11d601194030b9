/** Identity numbers (NIK, KK number) and removal reasons with their evidence (DESIGN.md sections 3 and 4). */
export * from './civil-date';
export * from './nik';
export * from './kk-number';
export * from './removal-reasons';
