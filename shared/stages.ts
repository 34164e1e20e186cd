// The stages an application (заявление) passes through, with the Russian names clerks and applicants see.
export const STAGES = [
  'received', // поступило (ЕПГУ, МФЦ, лично)
  'registered', // зарегистрировано
  'underReview', // на рассмотрении
  'interagencyRequested', // направлены межведомственные запросы
  'awaitingApplicant', // ожидание заявителя (исправления / доп. документы)
  'decisionDrafted', // подготовлен проект решения
  'approved', // решение о предоставлении утверждено
  'refused', // отказано (окончательно)
  'resultIssued', // результат выдан (окончательно)
  'cancelled', // отозвано заявителем (окончательно)
] as const;
export type Stage = (typeof STAGES)[number];

export const TERMINAL_STAGES: readonly Stage[] = ['refused', 'resultIssued', 'cancelled'];

export const STAGE_TITLES_RU: Record<Stage, string> = {
  received: 'Заявление поступило',
  registered: 'Заявление зарегистрировано',
  underReview: 'Заявление на рассмотрении',
  interagencyRequested: 'Направлены межведомственные запросы',
  awaitingApplicant: 'Ожидается ответ заявителя',
  decisionDrafted: 'Подготовлен проект решения',
  approved: 'Решение о предоставлении услуги принято',
  refused: 'Отказано в предоставлении услуги',
  resultIssued: 'Результат предоставления услуги выдан',
  cancelled: 'Заявление отозвано заявителем',
};

export function isTerminal(stage: Stage): boolean {
  return TERMINAL_STAGES.includes(stage);
}
