// Public entry of feedback/: what other rooms use.
export { type FeedbackActivities, type ReactionPlan, createFeedbackActivities } from './feedbackActivities';
export { createFeedbackTexts } from './feedbackTexts';
export { MkguClient } from './mkguClient';
export { createRatingIntake, type RatingIntake } from './ratingIntake';
export { CRITERIA, CRITERION_TITLES_RU, MAX_BATCH_BYTES, MAX_BATCH_RATINGS, type Criterion, type FeedbackInput, type RoutedRating, feedbackWorkflowId } from './ratingSchemas';
export { NO_SMSC, SmppSmsGateway, type SmsGateway } from './smsGateway';
export { type MkguEmulator, startMkguEmulator } from './emulator/mkguEmulator';
export { type SmscEmulator, startSmscEmulator } from './emulator/smscEmulator';
export { createRatingRouter } from './ratingRouter';
export { createFeedbackStarter, type FeedbackStarter } from './feedbackStart';
export { ensureRatingsPullSchedule } from './schedule';
